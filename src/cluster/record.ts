/** Placeholder: replaced by the issue that builds it. */
import { CassperfError } from "../errors";
export async function record(..._args: unknown[]): Promise<never> { throw new CassperfError("record() is not built yet."); }
