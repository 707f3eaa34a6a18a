/**
 * The lab's public API, exported as `lab` from the package: a real local Apache Cassandra cluster.
 *
 * @example
 * const l = await lab.start({ nodes: 3 });       // contact points + a live source (now current)
 * await trace("SELECT * FROM system.local", [], { consistency: "QUORUM" });
 * await lab.stop();
 */
export {
  start,
  stop,
  status,
  nodetool,
  stress,
  stressCommand,
  running,
  connectLab,
  connectLab as connect,
  labDir,
  ringStates,
  type Lab,
  type StartedLab,
  type NodeStatus,
} from "./lab";
export { LAB_DEFAULTS, FAST_START, YAML_OVERRIDES, LOG_PATTERN, type LabOptions, type LabNode } from "./config";
export { checkJava, javaMajor, javaMajorsFor, JAVA_INSTALL_HINT, SUPPORTED_JAVA_MAJORS } from "./java";
export { resolveCassandra, cachedVersions, cacheRoot, parseVersion, mavenReason, CASSANDRA_ARTIFACT, MAVEN_INSTALL_HINT, type Distribution } from "./maven";
