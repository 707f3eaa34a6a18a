/** Placeholder: replaced by the issue that builds it. */
export async function runReplCli(_args: string[]): Promise<number> {
  console.error("cassperf: this command is not built yet");
  return 2;
}
