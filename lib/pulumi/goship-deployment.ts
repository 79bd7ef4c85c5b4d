import * as dockerbuild from '@pulumi/docker-build';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { GoshipApp } from '../app/goship-app';
import { GoStaticImage } from '../image/go-static-image';
import { ValidationError, validating } from '../model/errors';
import { imageDigest } from '../model/image-ref';
import { nearest, PropNames, rejectUnknownProps } from '../model/known-props';
import { dns1123Label } from '../model/names';
import { pinnedRefs, readPins } from '../pin/pins';
import { requirePulumiEngine } from './engine';
import { imageBuildArgs } from './image-build';
import { KubernetesResource, ObjectPlan, pinImages, planObjects, resourceClassOf } from './kubernetes-objects';
import { PREBUILT_LOOKUPS, prebuiltImageRef, PrebuiltLookup, registryLookupProvider } from './prebuilt-image';
import { RegistryLogin } from './registry-login';

/** Args of {@link GoshipDeployment}. */
export interface GoshipDeploymentArgs {
  /**
   * The app to deploy: every GoStaticImage in it is built and pushed, every object of every
   * chart is applied. Build it from plain values; it is read once, here.
   */
  readonly app: GoshipApp;
  /**
   * Registry logins for the pushes (each is used for images in its registry only).
   * @default - none: the build uses the machine's `docker login` credentials
   * @example [registryFromConfig().login!]
   */
  readonly registries?: readonly RegistryLogin[];
  /**
   * The Kubernetes provider every object is applied with.
   * @default - the provider from `opts.providers`, else the default one (the current kubeconfig context)
   */
  readonly provider?: k8s.Provider;
  /**
   * Namespace for every namespaced object, replacing the chart's. Cluster-scoped kinds keep none;
   * custom resources count as namespaced.
   * @default - each object's own namespace (none: the provider's default namespace)
   */
  readonly namespace?: string;
  /**
   * The buildx builder to build with, by name: one of the builders in the buildx store of the
   * Docker config the provider reads (`DOCKER_CONFIG`, else `~/.docker`). docker-build uses
   * the `docker-container`, `kubernetes` and `remote` drivers only, never Docker's own `docker`
   * driver. With no builder it boots a new `docker-container` one, which pulls
   * `moby/buildkit` from Docker Hub: where that cannot be reached, run a BuildKit daemon and
   * register it as a `remote` builder (`docker buildx create --name goship --driver remote
   * unix:///run/buildkit/buildkitd.sock`), then pass its name. Such a builder also builds
   * every platform of an image into one multi-platform index.
   * @default - buildx's current builder, else a builder docker-build creates (see above)
   * @example 'goship'
   */
  readonly builder?: string;
  /**
   * The content of the build secrets the images mount for their module download, by secret id
   * (`BuildSecret.netrc()` has id `netrc`). Each is passed to the build as a Pulumi secret:
   * encrypted in the state, masked in logs, never a build arg.
   * @default - none; an image that declares a secret file then fails
   * @example { netrc: new pulumi.Config().requireSecret('netrc') }
   */
  readonly buildSecrets?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * Deploy images CI already built: nothing is built or pushed (`pulumi preview` never builds);
   * each GoStaticImage's `repository:tag` is looked up in its registry (see `prebuiltLookup`)
   * and deployed as `repository:tag@sha256:…`, as `goship pin` writes it. An image the app's
   * pin file pins for its current ref (`goship publish` and `goship pin` write it) is deployed
   * at that digest without a lookup. A tag that is not in the registry fails with the image's
   * name.
   * @default false - build and push every image
   */
  readonly prebuilt?: boolean;
  /**
   * How `prebuilt` looks tags up: `'registry'`, goship's own registry client (needs no plugin
   * beyond `kubernetes`), or `'docker-provider'`, `@pulumi/docker`'s `getRegistryImage` (needs
   * the `docker` resource plugin; for stacks that already run it).
   * @default 'registry'
   */
  readonly prebuiltLookup?: PrebuiltLookup;
}

/** Every arg of GoshipDeployment: the compiler keeps this list and the interface in step. */
const GOSHIP_DEPLOYMENT_ARGS: PropNames<GoshipDeploymentArgs> = {
  app: true,
  registries: true,
  provider: true,
  namespace: true,
  builder: true,
  buildSecrets: true,
  prebuilt: true,
  prebuiltLookup: true,
};

/** The names buildx accepts for a builder (its `ValidateName`). */
const BUILDX_BUILDER_NAME = /^[a-zA-Z][a-zA-Z0-9._-]*$/;

/** Every field of a registries entry. */
const REGISTRY_LOGIN_FIELDS: PropNames<RegistryLogin> = { address: true, username: true, password: true };

/** A Service as applied. */
export interface ServiceRef {
  readonly name: string;
  readonly namespace: string;
}

/**
 * Deploys a {@link GoshipApp} with Pulumi: builds and pushes each image, then applies the same
 * Kubernetes objects `synth()` writes to YAML, with each container image pinned to the
 * digest that was pushed.
 *
 * - Images: one `@pulumi/docker-build` `Image` per GoStaticImage, named `image-<name>`; the
 *   Dockerfile is the one goship renders, passed inline; every platform is built in one go
 *   and pushed as one multi-platform index.
 * - Objects: one `@pulumi/kubernetes` resource per object, named `<kind>-<namespace>-<name>`
 *   (`deployment-web-hello`), typed for built-in kinds and `CustomResource` otherwise. A
 *   container `image` equal to a GoStaticImage's `imageRef` becomes `<repository>@sha256:…`,
 *   and the object depends on that image's build. Namespaces and CRDs go first, then what
 *   pods read (ConfigMaps, Secrets, ServiceAccounts, …), then the rest.
 *
 * With `prebuilt: true` nothing is built: each image's tag is looked up in its registry
 * (goship's registry client; `@pulumi/docker`'s `getRegistryImage` with `prebuiltLookup:
 * 'docker-provider'`) and deployed as `repository:tag@sha256:…`, exactly
 * as `goship pin` writes it into the YAML.
 *
 * `opts.dependsOn` holds back every child (a child registers only once its parent is), so a
 * Namespace or Secret made outside the app can be waited for.
 *
 * The app is checked as `synth()` checks it (an app synth refuses is refused here too) and
 * never changed, and no Output is ever read synchronously.
 *
 * @example
 * const registry = registryFromConfig();
 * const app = new GoshipApp();
 * new HelloChart(app, 'hello', { repository: `${registry.prefix}/hello` });
 * const hello = new GoshipDeployment('hello', { app, registries: registry.login ? [registry.login] : [] });
 * export const images = hello.imageRefs;
 */
export class GoshipDeployment extends pulumi.ComponentResource {
  /** The type token. Public API: changing it renames every resource in existing stacks. */
  public static readonly TYPE = 'goship:index:GoshipDeployment';

  /** Image name → the pushed reference, pinned: `ghcr.io/acme/hello@sha256:…`. */
  public readonly imageRefs: pulumi.Output<Record<string, string>>;
  /** Every Service, as the cluster reports it. */
  public readonly services: pulumi.Output<ServiceRef[]>;
  /** The namespace of the namespaced objects: the override, else the one they share (undefined if several). */
  public readonly namespace: pulumi.Output<string | undefined>;
  /** Image name → its build resource; empty with `prebuilt`, which builds nothing. */
  public readonly images: Readonly<Record<string, dockerbuild.Image>>;
  /** Resource name (`deployment-web-hello`) → the Kubernetes resource. */
  public readonly objects: Readonly<Record<string, KubernetesResource>>;

  public constructor(name: string, args: GoshipDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    // Everything that can be wrong is found before any resource is registered.
    const plan = planDeployment(name, args);
    requirePulumiEngine(`GoshipDeployment '${name}'`);
    super(GoshipDeployment.TYPE, name, {}, opts);

    const images: Record<string, dockerbuild.Image> = {};
    const pins = new Map<string, pulumi.Output<string>>();
    const builds = new Map<string, dockerbuild.Image>();
    const refs: Record<string, pulumi.Output<string>> = {};
    const filePins = args.prebuilt ? pinnedRefs(plan.images.map((i) => i.image), args.app.pinsFile ? readPins(args.app.pinsFile) : new Map()) : new Map<string, string>();
    const lookup = args.prebuiltLookup ?? 'registry';
    const lookupProvider = args.prebuilt && lookup === 'docker-provider' && filePins.size < plan.images.length
      ? registryLookupProvider(name, args.registries ?? [], this) : undefined;
    for (const { image, args: buildArgs } of plan.images) {
      if (args.prebuilt) {
        // A pin for this very ref (goship publish or goship pin wrote it) needs no registry lookup.
        const fromFile = filePins.get(image.imageRef);
        const pinned = fromFile !== undefined ? pulumi.output(fromFile) : prebuiltImageRef(image, args.registries ?? [], lookup, { parent: this, provider: lookupProvider });
        pins.set(image.imageRef, pinned);
        refs[image.name] = pinned;
        continue;
      }
      const build = new dockerbuild.Image(`image-${image.name}`, buildArgs, {
        parent: this,
        // A rollback or a node replacing a pod pulls the previous digest: never delete pushed images.
        retainOnDelete: true,
      });
      const pinned = build.digest.apply((digest) => {
        if (typeof digest !== 'string' || digest === '') {
          throw new Error(`[${image.node.path}] ${image.imageRef}: the docker-build provider reported no digest for the pushed image (got ${JSON.stringify(digest)}), so the Deployment cannot be pinned — check that the build pushed (push: true, with registry credentials)`);
        }
        return `${image.repository}@${imageDigest(`${image.node.path} digest`, digest)}`;
      });
      images[image.name] = build;
      builds.set(image.imageRef, build);
      pins.set(image.imageRef, pinned);
      refs[image.name] = pinned;
    }

    const objects: Record<string, KubernetesResource> = {};
    const waves: KubernetesResource[][] = [];
    for (const object of [...plan.objects].sort((a, b) => a.wave - b.wave)) {
      const Resource = resourceClassOf(object.apiVersion, object.kind, object.resourceName);
      const dependsOn = [...waves.slice(0, object.wave).flat(), ...object.imageRefs.flatMap((ref) => builds.get(ref) ?? [])];
      const resource = new Resource(object.resourceName, pinImages(object.object, pins), {
        parent: this,
        ...(args.provider ? { provider: args.provider } : {}),
        ...(dependsOn.length > 0 ? { dependsOn } : {}),
        ...(object.ignoreChanges.length > 0 ? { ignoreChanges: [...object.ignoreChanges] } : {}),
      });
      objects[object.resourceName] = resource;
      (waves[object.wave] ??= []).push(resource);
    }

    this.images = images;
    this.objects = objects;
    this.imageRefs = pulumi.output(refs) as pulumi.Output<Record<string, string>>;
    this.services = servicesOf(plan.objects, objects);
    this.namespace = args.namespace !== undefined ? pulumi.output(args.namespace) : sharedNamespace(plan.objects, objects);
    this.registerOutputs({ imageRefs: this.imageRefs, services: this.services, namespace: this.namespace });
  }
}

interface DeploymentPlan {
  readonly images: readonly { readonly image: GoStaticImage; readonly args: dockerbuild.ImageArgs }[];
  readonly objects: readonly ObjectPlan[];
}

/** Reads the app once and checks the args: plain data, no resources. Errors carry the component name. */
function planDeployment(name: string, args: GoshipDeploymentArgs): DeploymentPlan {
  return validating(name, () => {
    rejectUnknownProps(args, GOSHIP_DEPLOYMENT_ARGS, 'GoshipDeployment');
    if (!(args?.app instanceof GoshipApp)) {
      throw ValidationError.invalid('app', args?.app, 'must be a GoshipApp', 'build the charts in `new GoshipApp()` and pass it as app');
    }
    const namespace = args.namespace === undefined ? undefined : dns1123Label('namespace', args.namespace);
    if (args.prebuilt !== undefined && typeof args.prebuilt !== 'boolean') {
      throw ValidationError.invalid('prebuilt', args.prebuilt, 'must be true or false', 'true deploys images CI already pushed; leave it unset to build them');
    }
    if (args.prebuiltLookup !== undefined && !PREBUILT_LOOKUPS.includes(args.prebuiltLookup)) {
      throw ValidationError.invalid('prebuiltLookup', args.prebuiltLookup, 'is not a lookup', `use one of ${PREBUILT_LOOKUPS.map((l) => `'${l}'`).join(', ')}`);
    }
    if (args.prebuiltLookup !== undefined && !args.prebuilt) {
      throw ValidationError.invalid('prebuiltLookup', args.prebuiltLookup, 'only prebuilt images are looked up', 'set prebuilt: true, or drop prebuiltLookup');
    }
    if (args.prebuilt && args.builder !== undefined) {
      throw ValidationError.invalid('builder', args.builder, 'nothing is built when prebuilt is true', 'drop builder, or prebuilt to build the images');
    }
    if (args.builder !== undefined && (typeof args.builder !== 'string' || !BUILDX_BUILDER_NAME.test(args.builder))) {
      throw ValidationError.invalid('builder', args.builder, 'must be the name of a buildx builder (a letter, then letters, digits, `.`, `-` or `_`; as `docker buildx ls` lists it)', 'create one with `docker buildx create --name goship --driver remote <buildkitd address>` and pass its name, or leave builder unset');
    }
    const registries = args.registries ?? [];
    registries.forEach((r, i) => rejectUnknownProps(r, REGISTRY_LOGIN_FIELDS, 'RegistryLogin', `registries[${i}]`, true));
    for (const r of registries) {
      if (typeof r?.address !== 'string' || !/^[a-zA-Z0-9.-]+(:[0-9]+)?$/.test(r.address)) {
        throw ValidationError.invalid('registries.address', r?.address, 'must be a registry host, with a port if any', "use e.g. 'ghcr.io'");
      }
    }
    // The checks synth runs (validations, image/deployment cross-checks, policy gate), so that
    // `pulumi up` refuses exactly what `synth` refuses. Nothing is written.
    args.app.renderFiles();
    const appImages = args.app.images();
    const buildSecrets = checkBuildSecrets(args.buildSecrets, appImages);
    const images = appImages.map((image) => ({ image, args: imageBuildArgs(image, { registries, builder: args.builder, cwd: process.cwd(), buildSecrets }) }));
    const objects = planObjects(args.app.manifests(), new Set(appImages.map((i) => i.imageRef)), namespace);
    return { images, objects };
  });
}

/** `buildSecrets` must be a map, and each of its ids must be mounted by some image: an unused secret is a typo. */
function checkBuildSecrets(value: unknown, images: readonly GoStaticImage[]): Readonly<Record<string, pulumi.Input<string>>> | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ValidationError.invalid('buildSecrets', value, 'must map secret ids to their content', "use e.g. { netrc: config.requireSecret('netrc') }");
  }
  const mounted = [...new Set(images.flatMap((i) => i.secrets.filter((s) => s.kind === 'file').map((s) => s.id)))].sort();
  for (const id of Object.keys(value)) {
    if (!mounted.includes(id)) {
      const near = nearest(id, mounted);
      throw ValidationError.invalid(`buildSecrets.${id}`, '(secret)', 'no image mounts a secret with this id', near ? `did you mean '${near}'?` : `remove it${mounted.length > 0 ? `; the images mount ${mounted.join(', ')}` : '; no image declares secrets'}`);
    }
  }
  return value as Record<string, pulumi.Input<string>>;
}

function servicesOf(plans: readonly ObjectPlan[], objects: Record<string, KubernetesResource>): pulumi.Output<ServiceRef[]> {
  const services = plans.filter((p) => p.apiVersion === 'v1' && p.kind === 'Service').map((p) => objects[p.resourceName].metadata);
  return pulumi.all(services).apply((metas) => metas.map((m) => ({ name: m.name, namespace: m.namespace })));
}

function sharedNamespace(plans: readonly ObjectPlan[], objects: Record<string, KubernetesResource>): pulumi.Output<string | undefined> {
  const namespaced = plans.filter((p) => p.namespaced).map((p) => objects[p.resourceName].metadata);
  return pulumi.all(namespaced).apply((metas) => {
    const names = new Set(metas.map((m) => m.namespace));
    return names.size === 1 ? [...names][0] : undefined;
  });
}
