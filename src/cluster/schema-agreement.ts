/**
 * Wait until every node reports the same schema version after DDL. The driver waits up to
 * maxSchemaAgreementWaitSeconds (10 s) and then goes on silently; on a freshly started or busy
 * cluster that is not always enough, and the first prepared statement fails with "unconfigured table"
 * on a node that has not seen the table yet.
 */
import type { Client } from "cassandra-driver";

/** Resolve true once the nodes agree, false after `timeoutMs`. */
export async function awaitSchemaAgreement(client: Client, timeoutMs = 30_000): Promise<boolean> {
  const md = client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await md.checkSchemaAgreement()) return true;
    } catch {
      /* the control connection is busy or reconnecting: try again */
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
