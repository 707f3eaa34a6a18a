/** Placeholder: replaced by the issue that builds it. */
import { CassperfError } from "../errors";
export async function compactionAdvice(..._args: unknown[]): Promise<never> { throw new CassperfError("compactionAdvice() is not built yet."); }
