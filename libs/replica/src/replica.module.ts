import { Module, type DynamicModule } from '@nestjs/common';
import { AppliedEntriesPublisher } from './applied-entries.publisher';
import { ClusterIdentity } from './cluster-identity';
import { PeerAuthenticator } from './peer-authenticator';
import { PeerGate } from './peer-gate';
import { ClusterJoinService } from './cluster-join.service';
import { NODE_OPTIONS, type NodeOptions } from './node-options';
import { PeerTcpController } from './peer-tcp.controller';
import { ReplicaService } from './replica.service';

/** One replicated node: the Raft driver, its WAL, its peer transport, and joining. */
@Module({})
export class ReplicaModule {
  static forRoot(options: NodeOptions): DynamicModule {
    return {
      module: ReplicaModule,
      global: true,
      controllers: [PeerTcpController],
      providers: [
        { provide: NODE_OPTIONS, useValue: options },
        { provide: PeerGate, useValue: peerGateFor(options) },
        AppliedEntriesPublisher,
        ReplicaService,
        ClusterJoinService,
      ],
      exports: [NODE_OPTIONS, PeerGate, AppliedEntriesPublisher, ReplicaService, ClusterJoinService],
    };
  }
}

function peerGateFor(options: NodeOptions): PeerGate {
  const authenticator =
    options.clusterSecret === null ? null : new PeerAuthenticator(Buffer.from(options.clusterSecret, 'utf8'));
  return new PeerGate(new ClusterIdentity(options.dataDir), authenticator, options.id);
}
