/**
 * bench's own driver client, for when a run needs a pool size (connectionsPerHost) or a coordinator
 * whitelist the source's client was not made with, and for each client thread: the source's
 * connection settings plus those two.
 */
import type { Client, ClientOptions } from "cassandra-driver";
import { CassperfError } from "../errors";
import type { ConnectOptions } from "../cluster/live";

/** Pool and routing options bench may add to the source's connection settings. */
export interface BenchClientOptions {
  connectionsPerHost?: number;
  coordinators?: string[];
}

/** Connect a client with the source's settings plus bench's pool size / coordinator whitelist. */
export async function benchClient(c: ConnectOptions, o: BenchClientOptions): Promise<Client> {
  const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");
  const dc = c.localDataCenter ?? "datacenter1";
  const distance = cassandra.types.distance;
  const options: ClientOptions = {
    contactPoints: o.coordinators ?? c.contactPoints,
    localDataCenter: dc,
    ...(c.port ? { protocolOptions: { port: c.port } } : {}),
    ...(c.credentials ? { authProvider: (require("../cluster/live") as typeof import("../cluster/live")).plainTextAuth(c.credentials) } : {}),
    ...(c.ssl ? { sslOptions: c.ssl as any } : {}),
    ...(c.driverOptions ?? {}),
  };
  if (o.connectionsPerHost)
    options.pooling = { ...(options.pooling ?? {}), coreConnectionsPerHost: { [distance.local]: o.connectionsPerHost, [distance.remote]: 1 } };
  if (o.coordinators) {
    const port = c.port ?? 9042;
    const allowed = o.coordinators.map((h) => (h.includes(":") ? h : `${h}:${port}`));
    options.policies = {
      ...(options.policies ?? {}),
      loadBalancing: new cassandra.policies.loadBalancing.WhiteListPolicy(new cassandra.policies.loadBalancing.DCAwareRoundRobinPolicy(dc), allowed),
    };
  }
  const client = new cassandra.Client(options);
  try {
    await client.connect();
  } catch (e) {
    await client.shutdown().catch(() => {});
    throw new CassperfError(`bench: could not open its own connection to ${(o.coordinators ?? c.contactPoints).join(", ")}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return client;
}
