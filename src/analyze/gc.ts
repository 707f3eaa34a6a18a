/** Placeholder: replaced by the issue that builds it. */
import { CassperfError } from "../errors";
export async function gcStats(..._args: unknown[]): Promise<never> { throw new CassperfError("gcStats() is not built yet."); }
