/** Placeholder: replaced by the issue that builds it. */
import { CassperfError } from "../errors";
export async function partitionScan(..._args: unknown[]): Promise<never> { throw new CassperfError("partitionScan() is not built yet."); }
