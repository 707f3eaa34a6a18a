/*
 * BenchWire: cassperf bench()'s thin "wire" to Cassandra over native protocol v5.
 *
 * Why: the Node.js driver (cassandra-driver 4.x) speaks native protocol v1-v4 only; against Cassandra 4.0+
 * it negotiates down to v4. The Apache Cassandra Java driver (org.apache.cassandra:java-driver-core 4.x,
 * resolved from Maven Central by src/lab/maven.ts resolveJavaDriver) speaks v5. This file is the whole JVM
 * side: everything else of a bench run -- workload generators, the schedule (fixed rate / closed loop),
 * the concurrency cap, HDR recording with coordinated-omission correction, rules and report -- stays in
 * TypeScript (src/bench/runner.ts, the same code the Node.js driver path uses). The wire only prepares
 * and executes the statements TypeScript hands it, and times each execution.
 *
 * Timing, and why it is done here: TypeScript decides WHEN an operation is due (its intended start, from
 * the schedule) and sends it; the wire takes System.nanoTime() right before session.executeAsync() (the
 * actual start) and first thing in the completion callback (the end), and sends both back. So
 *  - service time (actual start -> end) excludes the pipe in both directions and the Node.js event loop;
 *  - response time (intended start -> end, computed in TypeScript) includes the pipe's delay on the way
 *    in, as it should: a request the client could not send on time was late (coordinated omission);
 *  - the pipe's delay on the way back (and TypeScript's reading of it) is excluded from both.
 * Timing over the pipe in TypeScript instead would add two pipe hops and two event-loop turns to every
 * service time. The two clocks are compared once at start-up ("T" pings): on Linux System.nanoTime()
 * and Node's process.hrtime() both read CLOCK_MONOTONIC, which the pings confirm (TypeScript then uses
 * the wire's nanoseconds as they are); elsewhere TypeScript estimates the offset from the fastest ping.
 *
 * Start: java -cp <driver jars>:<dir of BenchWire.class> BenchWire key=value ...
 *   contact=host:port,host:port  dc=datacenter1  consistency=ONE  timeoutMs=12000  pool=1
 *   protocol=V5|auto (V5: refuse anything else; auto: let the driver negotiate)  coordinators=host,host (optional)
 *   credentials, when needed, come in the environment: CASSPERF_WIRE_USERNAME / CASSPERF_WIRE_PASSWORD.
 * Before answering it warms the driver's request path up (warmUp below; warmup=N reads of system.local, default 2000).
 * On stdout, first line: READY <tab> <negotiated protocol, e.g. V5> <tab> <driver version> <tab> <lowest Cassandra release> <tab> <warm-up done>
 *   or FAIL <tab> <exception class> <tab> <message>, then exit 2.
 *
 * Then one request per stdin line, one answer per stdout line; fields separated by tabs; inside a field
 * backslash, tab and newline are written \\ \t \n. Answers to X come in completion order, not request order.
 *   T <id>                       -> T <id> <System.nanoTime()>          (clock comparison)
 *   P <sid> <cql>                -> P <sid> OK  |  P <sid> ERR <error name> <message>
 *   X <rid> <sid> <literal>...   -> X <rid> <startNs> <endNs> <error name, empty when it succeeded>
 *        each literal is a CQL literal ('text', 42, 0xcafe, a uuid, NULL, [..], {..}), parsed with the
 *        codec of the prepared statement's bind marker type (so int / bigint / double / timestamp bind exactly)
 *   Q (or end of input)          -> closes the session, then Q, then exit 0
 * The wire sends every X it is given at once (executeAsync); the concurrency cap is TypeScript's: it has
 * at most `concurrency` operations outstanding. The driver's own per-connection limit is raised to the
 * protocol's 32,768 stream ids so that it never queues or rejects what TypeScript allows.
 */
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.Version;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.config.ProgrammaticDriverConfigLoaderBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.loadbalancing.NodeDistance;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.session.Session;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.registry.CodecRegistry;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;

public final class BenchWire {
  /** A prepared statement and the codec of each bind marker. */
  private static final class Stmt {
    final PreparedStatement ps;
    final TypeCodec<Object>[] codecs;

    Stmt(PreparedStatement ps, TypeCodec<Object>[] codecs) {
      this.ps = ps;
      this.codecs = codecs;
    }
  }

  private static final LinkedBlockingQueue<String> OUT = new LinkedBlockingQueue<>();
  private static final String STOP = new String("stop");

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq > 0) opt.put(a.substring(0, eq), a.substring(eq + 1));
    }
    BufferedWriter w = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    Thread writer = new Thread(() -> writeLoop(w), "bench-wire-writer");
    writer.start();
    CqlSession session;
    try {
      session = connect(opt);
    } catch (Throwable e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      OUT.add(line("FAIL", e.getClass().getSimpleName(), String.valueOf(e.getMessage()) + (root != e ? " (" + root + ")" : "")));
      OUT.add(STOP);
      writer.join();
      System.exit(2);
      return;
    }
    String release = null;
    for (Node n : session.getMetadata().getNodes().values()) {
      Version v = n.getCassandraVersion();
      if (v != null && (release == null || Version.parse(release).compareTo(v) > 0)) release = v.toString();
    }
    CodecRegistry registry = session.getContext().getCodecRegistry();
    long warm0 = System.nanoTime();
    int warmed = warmUp(session, registry, Integer.parseInt(opt.getOrDefault("warmup", "2000")));
    long warmMs = (System.nanoTime() - warm0) / 1_000_000;
    OUT.add(line("READY", session.getContext().getProtocolVersion().toString(), String.valueOf(Session.OSS_DRIVER_COORDINATES.getVersion()),
        release == null ? "" : release, warmed + " reads of system.local in " + warmMs + " ms"));
    Map<String, Stmt> stmts = new HashMap<>();
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
    String in;
    while ((in = r.readLine()) != null) {
      String[] f = split(in);
      if (f.length == 0) continue;
      switch (f[0]) {
        case "T":
          OUT.add(line("T", f[1], Long.toString(System.nanoTime())));
          break;
        case "P":
          try {
            PreparedStatement ps = session.prepare(f[2]);
            ColumnDefinitions vars = ps.getVariableDefinitions();
            @SuppressWarnings("unchecked")
            TypeCodec<Object>[] codecs = new TypeCodec[vars.size()];
            for (int i = 0; i < vars.size(); i++) codecs[i] = registry.codecFor(vars.get(i).getType());
            stmts.put(f[1], new Stmt(ps, codecs));
            OUT.add(line("P", f[1], "OK"));
          } catch (Throwable e) {
            OUT.add(line("P", f[1], "ERR", errorName(e), String.valueOf(e.getMessage())));
          }
          break;
        case "X":
          execute(session, stmts.get(f[2]), f);
          break;
        case "Q":
          session.close();
          OUT.add("Q");
          OUT.add(STOP);
          writer.join();
          System.exit(0);
          return;
        default:
          System.err.println("bench-wire: unknown request " + f[0]);
      }
    }
    session.close();
    OUT.add("Q");
    OUT.add(STOP);
    writer.join();
    System.exit(0);
  }

  /**
   * Before READY: run the request path bench uses (parse a literal with the marker's codec, bind, executeAsync,
   * completion callback) `n` times on a read of system.local, at most 32 in flight, so that class loading and
   * JIT compilation of the driver happen here and not in the first seconds of the schedule (measured on a
   * loaded 2-core machine: without it a cold JVM answered the first seconds of a 500 op/s schedule seconds
   * late). Reads no user table. Returns how many completed.
   */
  private static int warmUp(CqlSession session, CodecRegistry registry, int n) throws InterruptedException {
    if (n <= 0) return 0;
    PreparedStatement ps = session.prepare("SELECT release_version FROM system.local WHERE key = ?");
    TypeCodec<Object> codec = registry.codecFor(ps.getVariableDefinitions().get(0).getType());
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(32);
    java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      String unused = line("X", Integer.toString(i), Long.toString(System.nanoTime()));
      session.executeAsync(ps.boundStatementBuilder().set(0, codec.parse("'local'"), codec).build()).whenComplete((rs, err) -> {
        if (err == null) ok.incrementAndGet();
        inFlight.release();
      });
    }
    inFlight.acquire(32);
    return ok.get();
  }

  /** Bind the literals and execute; the timing pair and the error name go back as one line. */
  private static void execute(CqlSession session, Stmt s, String[] f) {
    String rid = f[1];
    BoundStatementBuilder b;
    try {
      if (s == null) throw new IllegalArgumentException("statement " + f[2] + " was not prepared");
      if (f.length - 3 != s.codecs.length)
        throw new IllegalArgumentException(s.codecs.length + " bind markers, " + (f.length - 3) + " values");
      b = s.ps.boundStatementBuilder();
      for (int i = 0; i < s.codecs.length; i++) b = b.set(i, s.codecs[i].parse(f[3 + i]), s.codecs[i]);
    } catch (Throwable e) {
      // Not sent: reported once per kind on stderr, and as a failed operation of no duration.
      long now = System.nanoTime();
      System.err.println("bench-wire: could not bind " + String.join(" ", f) + ": " + e);
      OUT.add(line("X", rid, Long.toString(now), Long.toString(now), "BindError"));
      return;
    }
    final BoundStatementBuilder bound = b;
    long start = System.nanoTime();
    session.executeAsync(bound.build()).whenComplete((rs, err) -> {
      long end = System.nanoTime();
      OUT.add(line("X", rid, Long.toString(start), Long.toString(end), err == null ? "" : errorName(err)));
    });
  }

  private static CqlSession connect(Map<String, String> opt) {
    ProgrammaticDriverConfigLoaderBuilder cfg = DriverConfigLoader.programmaticBuilder()
        .withString(DefaultDriverOption.LOAD_BALANCING_LOCAL_DATACENTER, opt.getOrDefault("dc", "datacenter1"))
        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, DefaultConsistencyLevel.valueOf(opt.getOrDefault("consistency", "ONE")).name())
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofMillis(Long.parseLong(opt.getOrDefault("timeoutMs", "12000"))))
        .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, Integer.parseInt(opt.getOrDefault("pool", "1")))
        .withInt(DefaultDriverOption.CONNECTION_POOL_REMOTE_SIZE, 1)
        .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, 32768)
        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10));
    String protocol = opt.getOrDefault("protocol", "auto");
    if (!"auto".equals(protocol)) cfg = cfg.withString(DefaultDriverOption.PROTOCOL_VERSION, protocol);
    CqlSessionBuilder b = CqlSession.builder().withConfigLoader(cfg.build()).withApplicationName("cassperf bench wire");
    for (String hp : opt.getOrDefault("contact", "127.0.0.1:9042").split(",")) {
      int colon = hp.lastIndexOf(':');
      b = b.addContactPoint(new InetSocketAddress(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1))));
    }
    String user = System.getenv("CASSPERF_WIRE_USERNAME");
    if (user != null) b = b.withAuthCredentials(user, System.getenv().getOrDefault("CASSPERF_WIRE_PASSWORD", ""));
    String coordinators = opt.get("coordinators");
    if (coordinators != null && !coordinators.isEmpty()) {
      Set<String> allowed = new HashSet<>(List.of(coordinators.split(",")));
      // Nodes not in the list are IGNORED: never a coordinator (bench's `coordinators` whitelist).
      b = b.withNodeDistanceEvaluator((node, localDc) -> {
        Object ep = node.getEndPoint().resolve();
        String host = ep instanceof InetSocketAddress ? ((InetSocketAddress) ep).getAddress().getHostAddress() : String.valueOf(ep);
        return allowed.contains(host) ? null : NodeDistance.IGNORED;
      });
    }
    return b.build();
  }

  /** The same short names src/bench/runner.ts gives Node.js driver errors. */
  private static String errorName(Throwable e) {
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) e = e.getCause();
    String n = e.getClass().getSimpleName();
    switch (n) {
      case "DriverTimeoutException":
        return "ClientTimeout";
      case "AllNodesFailedException":
      case "NoNodeAvailableException":
        return "NoHostAvailable";
      case "InvalidQueryException":
        return "Invalid";
      case "OverloadedException":
        return "Overloaded";
      default:
        return n.endsWith("Exception") ? n.substring(0, n.length() - "Exception".length()) : n;
    }
  }

  private static void writeLoop(BufferedWriter w) {
    try {
      for (;;) {
        String s = OUT.take();
        if (s == STOP) break;
        w.write(s);
        w.write('\n');
        if (OUT.isEmpty()) w.flush();
      }
      w.flush();
    } catch (Exception e) {
      System.err.println("bench-wire: stdout closed: " + e);
    }
  }

  private static String line(String... fields) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) sb.append('\t');
      String f = fields[i];
      for (int k = 0; k < f.length(); k++) {
        char c = f.charAt(k);
        if (c == '\\') sb.append("\\\\");
        else if (c == '\t') sb.append("\\t");
        else if (c == '\n') sb.append("\\n");
        else if (c == '\r') sb.append("\\r");
        else sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String[] split(String in) {
    List<String> out = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < in.length(); k++) {
      char c = in.charAt(k);
      if (c == '\t') {
        out.add(sb.toString());
        sb.setLength(0);
      } else if (c == '\\' && k + 1 < in.length()) {
        char n = in.charAt(++k);
        sb.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else sb.append(c);
    }
    out.add(sb.toString());
    return out.toArray(new String[0]);
  }
}
