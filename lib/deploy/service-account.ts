import { plainString, ValidationError } from '../model/errors';
import { PropNames, rejectUnknownProps } from '../model/known-props';
import { dns1123Subdomain, labelKey } from '../model/names';
import { ServiceAccountSpec } from '../render/workload';

/**
 * A cloud identity for the pods: the ServiceAccount annotation (and pod label) each cloud's
 * workload identity reads.
 *
 * @example
 * WorkloadIdentity.aws('arn:aws:iam::123456789012:role/shop-api')
 * WorkloadIdentity.gcp('shop-api@acme-prod.iam.gserviceaccount.com')
 * WorkloadIdentity.azure('00000000-0000-0000-0000-000000000000')
 */
export class WorkloadIdentity {
  /** EKS IAM Roles for Service Accounts (IRSA): `eks.amazonaws.com/role-arn`. */
  public static aws(roleArn: string): WorkloadIdentity {
    if (typeof roleArn !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) {
      throw ValidationError.invalid('serviceAccount.identity', roleArn, 'not an IAM role ARN', "use e.g. 'arn:aws:iam::123456789012:role/shop-api'");
    }
    return new WorkloadIdentity({ 'eks.amazonaws.com/role-arn': roleArn }, {});
  }

  /** GKE Workload Identity: `iam.gke.io/gcp-service-account`. */
  public static gcp(serviceAccountEmail: string): WorkloadIdentity {
    if (typeof serviceAccountEmail !== 'string' || !/^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$/.test(serviceAccountEmail)) {
      throw ValidationError.invalid('serviceAccount.identity', serviceAccountEmail, 'not a Google service account email', "use e.g. 'shop-api@acme-prod.iam.gserviceaccount.com'");
    }
    return new WorkloadIdentity({ 'iam.gke.io/gcp-service-account': serviceAccountEmail }, {});
  }

  /**
   * Azure Workload Identity: `azure.workload.identity/client-id` on the ServiceAccount, and
   * the `azure.workload.identity/use: "true"` pod label its webhook selects pods by.
   */
  public static azure(clientId: string): WorkloadIdentity {
    if (typeof clientId !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) {
      throw ValidationError.invalid('serviceAccount.identity', clientId, 'not an Azure client id (a GUID)', "use the managed identity's client id, e.g. '00000000-0000-0000-0000-000000000000'");
    }
    return new WorkloadIdentity({ 'azure.workload.identity/client-id': clientId }, { 'azure.workload.identity/use': 'true' });
  }

  private constructor(
    /** Annotations of the ServiceAccount. */
    public readonly annotations: Readonly<Record<string, string>>,
    /** Labels of the pods. */
    public readonly podLabels: Readonly<Record<string, string>>,
  ) {}
}

/** Options of {@link ServiceAccount.create}. */
export interface CreateServiceAccountOptions {
  /**
   * Its name.
   * @default - the workload's name
   */
  readonly name?: string;
  /**
   * The cloud identity the pods assume.
   * @default - none
   */
  readonly identity?: WorkloadIdentity;
  /**
   * More annotations of the ServiceAccount.
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

const CREATE_OPTIONS: PropNames<CreateServiceAccountOptions> = { name: true, identity: true, annotations: true };

/**
 * The pods' ServiceAccount: one goship writes, or one that exists.
 *
 * @example
 * ServiceAccount.create({ identity: WorkloadIdentity.aws('arn:aws:iam::123456789012:role/shop-api') })
 * ServiceAccount.existing('shop-reader')
 */
export class ServiceAccount {
  /** A ServiceAccount of its own, named after the workload unless `name` is given. */
  public static create(options: CreateServiceAccountOptions = {}): ServiceAccount {
    return new ServiceAccount(true, options);
  }

  /** One made elsewhere (with its own annotations). */
  public static existing(name: string): ServiceAccount {
    return new ServiceAccount(false, { name });
  }

  private constructor(
    /** True: goship writes it. */
    public readonly create: boolean,
    /** The options given. */
    public readonly options: CreateServiceAccountOptions,
  ) {}

  /**
   * Resolved for the workload `workloadName`, with the pod labels its identity needs.
   * @internal
   */
  public resolve(workloadName: string): { spec: ServiceAccountSpec; podLabels: Record<string, string> } {
    rejectUnknownProps(this.options, CREATE_OPTIONS, 'ServiceAccount.create()', 'serviceAccount');
    const name = dns1123Subdomain('serviceAccount.name', this.options.name ?? workloadName);
    const identity = this.options.identity;
    if (identity !== undefined && !(identity instanceof WorkloadIdentity)) {
      throw ValidationError.invalid('serviceAccount.identity', identity, 'not a WorkloadIdentity', "use WorkloadIdentity.aws('arn:…'), .gcp('…@….iam.gserviceaccount.com') or .azure('<client id>')");
    }
    const extra = this.options.annotations ?? {};
    if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
      throw ValidationError.invalid('serviceAccount.annotations', extra, 'must map annotation keys to values', "use e.g. { 'example.com/team': 'shop' }");
    }
    const annotations: Record<string, string> = {};
    for (const key of Object.keys(extra).sort()) {
      labelKey(`serviceAccount.annotations.${key}`, key);
      annotations[key] = plainString(`serviceAccount.annotations.${key}`, extra[key]);
    }
    for (const [key, value] of Object.entries(identity?.annotations ?? {})) {
      if (key in annotations && annotations[key] !== value) {
        throw ValidationError.invalid(`serviceAccount.annotations.${key}`, annotations[key], 'is also set by identity, to another value', `remove it from annotations; identity sets '${value}'`);
      }
      annotations[key] = value;
    }
    return { spec: { name, create: this.create, annotations }, podLabels: { ...(identity?.podLabels ?? {}) } };
  }
}
