/** Placeholder: replaced by the issue that builds it. */
import { CassperfError } from "../errors";
export async function trace(..._args: unknown[]): Promise<never> { throw new CassperfError("trace() is not built yet."); }
export async function traces(..._args: unknown[]): Promise<never> { throw new CassperfError("traces() is not built yet."); }
export async function compareTraces(..._args: unknown[]): Promise<never> { throw new CassperfError("compareTraces() is not built yet."); }
