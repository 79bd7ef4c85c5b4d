/**
 * How the Service is reachable.
 *
 * @example
 * ServiceType.CLUSTER_IP
 * ServiceType.LOAD_BALANCER
 */
export class ServiceType {
  /** Inside the cluster only, at `<name>.<namespace>.svc`. */
  public static readonly CLUSTER_IP = new ServiceType('ClusterIP');
  /** Also on a port of every node. */
  public static readonly NODE_PORT = new ServiceType('NodePort');
  /** Also through the cloud's load balancer. */
  public static readonly LOAD_BALANCER = new ServiceType('LoadBalancer');

  private constructor(
    /** The Service's `spec.type`. */
    public readonly type: string,
  ) {}

  /** The `spec.type` value. */
  public toString(): string {
    return this.type;
  }
}
