/**
 * Which driver a live bench run sends its operations through: the Node.js driver (native protocol up
 * to v4) or the Java driver wire (./wire.ts, v5). On a cluster that speaks v5 (Cassandra 4.0+) the
 * wire is chosen unless an option needs the Node.js driver; `protocol` forces one. What is refused or
 * fallen back from is said in one line (an error when v5 was asked for, a report note otherwise).
 */
import { CassperfError } from "../errors";

/** The bench options the choice depends on. */
export interface ProtocolChoiceInput {
  protocol?: unknown;
  prepared?: boolean;
  threads?: number;
  ssl?: unknown;
  driverOptions?: unknown;
}

export type ProtocolChoice = { wire: false; note?: string } | { wire: true; requireV5: boolean };

/** Options only the Node.js driver path implements, each with the reason. */
function nodeOnly(o: ProtocolChoiceInput): string[] {
  const why: string[] = [];
  if (o.prepared === false) why.push("prepared: false (the wire prepares every statement)");
  if ((o.threads ?? 1) > 1) why.push("threads > 1 (each thread runs its own Node.js driver client)");
  if (o.ssl) why.push("TLS (the connection's ssl options are Node.js driver options)");
  if (o.driverOptions) why.push("driverOptions (Node.js driver options)");
  return why;
}

/**
 * Decide. `serverMax` / `release`: the highest protocol the cluster's lowest release speaks (protocol.ts).
 * @example chooseProtocol({}, 5, "5.0.9")   // { wire: true, requireV5: false }
 */
export function chooseProtocol(o: ProtocolChoiceInput, serverMax: number | null, release: string | null): ProtocolChoice {
  if (o.protocol !== undefined && o.protocol !== "v4" && o.protocol !== "v5")
    throw new CassperfError(`bench: option protocol must be "v4" (the Node.js driver) or "v5" (the Java driver wire); got ${JSON.stringify(o.protocol)}.`);
  if (o.protocol === "v4") return { wire: false };
  const blockers = nodeOnly(o);
  if (o.protocol === "v5") {
    if (serverMax !== null && serverMax < 5)
      throw new CassperfError(
        `bench: protocol "v5" asked for, but Cassandra ${release} speaks native protocol up to v${serverMax} (v5 needs Cassandra 4.0+).`,
        {
          hint: 'leave protocol out (bench picks the highest the cluster speaks) or pass { protocol: "v4" }',
        },
      );
    if (blockers.length)
      throw new CassperfError(`bench: protocol "v5" runs through the Java driver wire, which does not support ${blockers.join(", ")}.`, {
        hint: 'drop that option, or pass { protocol: "v4" }',
      });
    return { wire: true, requireV5: true };
  }
  if (serverMax === null || serverMax < 5) return { wire: false };
  if (blockers.length)
    return {
      wire: false,
      note: `Native protocol v5 not used although Cassandra ${release} speaks it: the Java driver wire does not support ${blockers.join(", ")}; the Node.js driver ran the load.`,
    };
  return { wire: true, requireV5: false };
}
