/**
 * A throttle whose failures count on every node: each failure or reset is applied here and
 * published; the other nodes apply it to their copy. A guesser spreading attempts over the
 * nodes behind a balancer meets the same limit as on one controller.
 */
import { Throttle, type ThrottleOptions } from '../auth/throttle.js';
import type { ThrottleName } from './cluster-events.js';
import type { Cluster } from './cluster.js';

export class ClusterThrottle extends Throttle {
  constructor(private readonly name: ThrottleName, options: ThrottleOptions, private readonly cluster: Pick<Cluster, 'publish' | 'on'>) {
    super(options);
    cluster.on((event) => {
      if (event.t !== 'throttle' || event.name !== name) return;
      if (event.kind === 'fail') super.fail(event.key);
      else super.reset(event.key);
    });
  }

  override fail(key: string): void {
    super.fail(key);
    this.cluster.publish({ t: 'throttle', name: this.name, key, kind: 'fail' });
  }

  override reset(key: string): void {
    super.reset(key);
    this.cluster.publish({ t: 'throttle', name: this.name, key, kind: 'reset' });
  }
}

/** A throttle for `name`: shared with the cluster's nodes when there is a cluster. */
export function throttleFor(cluster: Pick<Cluster, 'publish' | 'on'> | null, name: ThrottleName, options: ThrottleOptions): Throttle {
  return cluster ? new ClusterThrottle(name, options, cluster) : new Throttle(options);
}
