/** Placeholder: replaced by the issue that builds it. */
import { CassperfError } from "../errors";
export async function bench(..._args: unknown[]): Promise<never> { throw new CassperfError("bench() is not built yet."); }
export async function importStress(..._args: unknown[]): Promise<never> { throw new CassperfError("importStress() is not built yet."); }
export async function compareRuns(..._args: unknown[]): Promise<never> { throw new CassperfError("compareRuns() is not built yet."); }
