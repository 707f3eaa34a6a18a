/**
 * Which native protocol version a bench run spoke, from the driver's own negotiation, and the
 * highest the cluster's release speaks, so the report can say when they differ.
 *
 * The Node.js driver (cassandra-driver 4.x, lib/types/protocol-version.js) accepts Cassandra
 * protocols v1–v4 only: v5 is "Currently not supported by the driver". Against Cassandra 4.0+
 * (which speaks v5) it starts at DSE_V2 (0x42), is told v5, and downgrades to v4 — seen on a
 * 5.0.9 lab: "Protocol version 5 not supported by this driver, downgrading" then "ControlConnection
 * using protocol version 0x4", and system_views.clients lists the connection with protocol_version 4.
 */
import type { Client } from "cassandra-driver";

/** What a run's report says about its native protocol. */
export interface NativeProtocol {
  /** The version the driver negotiated (4 = v4; 0x41/0x42 = DSE_V1/DSE_V2); null when the driver does not say. */
  version: number | null;
  /** "v4", "DSE_V2", or null. */
  label: string | null;
  /** The driver that negotiated it, e.g. "cassandra-driver 4.8.0". */
  driver: string;
  /** The highest native protocol the cluster's lowest release speaks (null when the release is unknown), and that release. */
  serverMax: number | null;
  release: string | null;
}

/**
 * The highest native protocol version an Apache Cassandra release speaks (Cassandra's
 * doc/native_protocol_v*.spec and ProtocolVersion.java): v5 from 4.0 (beta in 3.10–3.11), v4 from
 * 2.2, v3 in 2.1, v2 in 2.0. DSE releases ("4.0.0.681"-style or 6.x) are not mapped: null.
 */
export function highestProtocolOf(release: string): number | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:\.\d+)?/.exec(release);
  if (!m || /^\d+\.\d+\.\d+\.\d+/.test(release)) return null;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  if (maj >= 4) return 5;
  if (maj === 3 || (maj === 2 && min >= 2)) return 4;
  if (maj === 2 && min === 1) return 3;
  if (maj === 2 && min === 0) return 2;
  return null;
}

const LABELS: Record<number, string> = { 1: "v1", 2: "v2", 3: "v3", 4: "v4", 5: "v5", 6: "v6", 0x41: "DSE_V1", 0x42: "DSE_V2" };

/**
 * The protocol `client` (connected) negotiated: the driver's control connection's version (the
 * version every connection of the client uses), and the cluster's release from host metadata.
 * @example const p = nativeProtocol(live.client); p.label   // "v4"
 */
export function nativeProtocol(client: Client): NativeProtocol {
  const c = client as unknown as { controlConnection?: { protocolVersion?: unknown }; hosts?: { values(): Iterable<{ cassandraVersion?: string }> } };
  const v = c.controlConnection?.protocolVersion;
  const version = typeof v === "number" && v > 0 ? v : null;
  let driver = "cassandra-driver";
  try {
    driver = `cassandra-driver ${(require("cassandra-driver/package.json") as { version: string }).version}`;
  } catch {
    // the package file is not readable: the name alone
  }
  const releases = [...(c.hosts?.values() ?? [])].map((h) => h.cassandraVersion).filter((r): r is string => typeof r === "string" && r !== "");
  // The lowest release bounds what every node speaks.
  const maxes = releases
    .map((r) => ({ r, max: highestProtocolOf(r) }))
    .filter((x): x is { r: string; max: number } => x.max !== null)
    .sort((a, b) => a.max - b.max);
  return {
    version,
    label: version === null ? null : (LABELS[version] ?? `0x${version.toString(16)}`),
    driver,
    serverMax: maxes[0]?.max ?? null,
    release: maxes[0]?.r ?? releases[0] ?? null,
  };
}

/**
 * The protocol the Java driver wire (wire.ts, java/BenchWire.java) negotiated: its session's
 * getContext().getProtocolVersion() ("V5", "V4", "DSE_V2"), and the lowest release the driver saw.
 * @example wireProtocol({ protocol: "V5", driverVersion: "4.19.0", release: "5.0.9" }).label   // "v5"
 */
export function wireProtocol(hello: { protocol: string; driverVersion: string; release: string }): NativeProtocol {
  const m = /^V(\d+)$/.exec(hello.protocol);
  const version = m ? Number(m[1]) : hello.protocol === "DSE_V1" ? 0x41 : hello.protocol === "DSE_V2" ? 0x42 : null;
  return {
    version,
    label: version === null ? null : (LABELS[version] ?? hello.protocol),
    driver: `Apache Cassandra Java driver ${hello.driverVersion} (java/BenchWire.java)`,
    serverMax: hello.release ? highestProtocolOf(hello.release) : null,
    release: hello.release || null,
  };
}

/** One sentence for the report's notes when the run spoke less than the cluster can; null otherwise. */
export function protocolNote(p: NativeProtocol): string | null {
  if (p.version === null) return `The native protocol version this run used is unknown: ${p.driver} did not report it.`;
  if (p.serverMax !== null && p.version < p.serverMax && !p.driver.startsWith("cassandra-driver"))
    return `This run spoke native protocol ${p.label}: Cassandra ${p.release} speaks up to v${p.serverMax}, but ${p.driver} negotiated ${p.label}.`;
  if (p.serverMax !== null && p.version < p.serverMax)
    return `This run spoke native protocol ${p.label}: Cassandra ${p.release} speaks up to v${p.serverMax}, but ${p.driver} supports at most v4 (v5 is "not supported by the driver"), so it negotiated down.`;
  return null;
}
