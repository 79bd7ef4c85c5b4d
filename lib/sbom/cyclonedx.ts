import type * as CycloneDx from '@cyclonedx/cyclonedx-library';
import { SbomPackage, SbomSubject } from './subject';

/**
 * Renders a CycloneDX 1.6 JSON BOM through `@cyclonedx/cyclonedx-library`: the program (or
 * the image) as `metadata.component`, one component per Go module, the Go standard library,
 * and the image's runtime files as `file` components; the program depends on every module
 * and the standard library.
 *
 * Deterministic: the serial number is derived from the binary's SHA-256, the timestamp from
 * the build info (see {@link SbomSubject.created}), lists are sorted. The library is loaded
 * on the first call, so importing goship does not pay for it.
 */
export async function renderCycloneDx(subject: SbomSubject): Promise<string> {
  const CDX: typeof CycloneDx = await import('@cyclonedx/cyclonedx-library');
  const component = (p: SbomPackage): CycloneDx.Models.Component => {
    const type = { application: CDX.Enums.ComponentType.Application, library: CDX.Enums.ComponentType.Library, container: CDX.Enums.ComponentType.Container }[p.purpose];
    const c = new CDX.Models.Component(type, p.name, { bomRef: p.id, version: p.version, purl: p.purl });
    if (p.sha256) {
      c.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], p.sha256);
    }
    if (p.goSum) {
      c.properties.add(new CDX.Models.Property('goship:go.sum', p.goSum));
    }
    return c;
  };
  const main = component(subject.main);
  const modules = [subject.stdlib, ...subject.dependencies].map(component);
  for (const m of modules) {
    main.dependencies.add(m.bomRef);
  }
  const files = subject.files.map((f) => {
    const c = new CDX.Models.Component(CDX.Enums.ComponentType.File, f.path, { bomRef: `file-${f.path}` });
    c.hashes.set(CDX.Enums.HashAlgorithm['SHA-1'], f.sha1);
    c.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], f.sha256);
    return c;
  });
  const image = subject.image && component(subject.image);
  const bom = new CDX.Models.Bom({ serialNumber: serialNumber(subject.binarySha256) });
  bom.metadata.timestamp = new Date(subject.created);
  bom.metadata.tools.components.add(new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'goship'));
  if (image) {
    bom.metadata.component = image;
    for (const c of [main, ...files]) {
      image.dependencies.add(c.bomRef);
    }
    bom.components.add(main);
  } else {
    bom.metadata.component = main;
  }
  for (const c of [...modules, ...files]) {
    bom.components.add(c);
  }
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.SpecVersionDict[CDX.Spec.Version.v1dot6]!));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

/** A UUID (version 5 layout) from a hex hash, as `urn:uuid:…`. */
function serialNumber(hex: string): string {
  const h = hex.slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `urn:uuid:${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
