import { SbomPackage, SbomSubject } from './subject';

/** The tool named as the document's creator. */
const CREATOR = 'Tool: goship';
const NOASSERTION = 'NOASSERTION';

/**
 * Renders an SPDX 2.3 JSON document: one package per Go module, the Go standard library and
 * (for an image) the image; `DESCRIBES` the image or the program, `DEPENDS_ON` from the program
 * to every module and the standard library, `CONTAINS` from the image to the program and its
 * runtime files.
 *
 * Deterministic: the namespace is derived from the binary's SHA-256, the creation time from
 * the build info (see {@link SbomSubject.created}), packages are sorted; the same binary gives
 * the same bytes.
 */
export function renderSpdx(subject: SbomSubject): string {
  const packages = [...(subject.image ? [subject.image] : []), subject.main, subject.stdlib, ...subject.dependencies];
  const files = subject.files.map((f, i) => ({
    SPDXID: `SPDXRef-File-${i + 1}`,
    fileName: `.${f.path}`,
    checksums: [{ algorithm: 'SHA1', checksumValue: f.sha1 }, { algorithm: 'SHA256', checksumValue: f.sha256 }],
    licenseConcluded: NOASSERTION,
    copyrightText: NOASSERTION,
  }));
  const ref = (p: SbomPackage) => `SPDXRef-${p.id}`;
  const top = subject.image ?? subject.main;
  const relationships = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: ref(top) },
    ...(subject.image ? [{ spdxElementId: ref(subject.image), relationshipType: 'CONTAINS', relatedSpdxElement: ref(subject.main) }] : []),
    ...[subject.stdlib, ...subject.dependencies].map((d) => ({ spdxElementId: ref(subject.main), relationshipType: 'DEPENDS_ON', relatedSpdxElement: ref(d) })),
    ...(subject.image ? files.map((f) => ({ spdxElementId: ref(subject.image!), relationshipType: 'CONTAINS', relatedSpdxElement: f.SPDXID })) : []),
  ];
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: subject.name,
    documentNamespace: `https://goship.dev/spdx/${encodeURIComponent(subject.main.name)}/${subject.binarySha256}`,
    creationInfo: { created: subject.created, creators: [CREATOR] },
    packages: packages.map(spdxPackage),
    ...(files.length > 0 ? { files } : {}),
    relationships,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function spdxPackage(p: SbomPackage): Record<string, unknown> {
  return {
    SPDXID: `SPDXRef-${p.id}`,
    name: p.name,
    ...(p.version ? { versionInfo: p.version } : {}),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    ...(p.sha256 ? { checksums: [{ algorithm: 'SHA256', checksumValue: p.sha256 }] } : {}),
    ...(p.goSum ? { comment: `go.sum hash ${p.goSum}; the SHA256 checksum is that hash decoded (Go's dirhash of the module's files)` } : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...(p.purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }] } : {}),
    primaryPackagePurpose: { application: 'APPLICATION', library: 'LIBRARY', container: 'CONTAINER' }[p.purpose],
  };
}
