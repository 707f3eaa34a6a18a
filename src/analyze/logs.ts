/** Placeholder: replaced by the issue that builds it. */
import { CassperfError } from "../errors";
export async function logs(..._args: unknown[]): Promise<never> { throw new CassperfError("logs() is not built yet."); }
export async function timeline(..._args: unknown[]): Promise<never> { throw new CassperfError("timeline() is not built yet."); }
