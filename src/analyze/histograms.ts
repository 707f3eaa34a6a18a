/** Placeholder: replaced by the issue that builds it. */
import { CassperfError } from "../errors";
export async function histograms(..._args: unknown[]): Promise<never> { throw new CassperfError("histograms() is not built yet."); }
