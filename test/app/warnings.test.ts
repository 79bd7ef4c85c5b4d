import { warningLines } from '../../lib/app/warnings';
import { Finding } from '../../lib/policy';

const pinned = (i: number): Finding => ({
  rule: 'dockerfile/pinned-builder-image', severity: 'warning', file: `images/svc-${i}/Dockerfile`, line: 7,
  message: "stage 'build' uses 'golang:1.22' without a digest — … — pin it",
});

describe('warningLines', () => {
  test('a warning repeated across 3000 images prints once, with the count and the first three places', () => {
    // GIVEN
    const findings = Array.from({ length: 3000 }, (_, i) => pinned(i));
    // WHEN
    const lines = warningLines(findings);
    // THEN
    expect(lines).toEqual([
      "goship: warning: [dockerfile/pinned-builder-image] stage 'build' uses 'golang:1.22' without a digest — … — pin it — 3000 times: "
      + 'images/svc-0/Dockerfile:7, images/svc-1/Dockerfile:7, images/svc-2/Dockerfile:7 and 2997 more',
    ]);
  });

  test('distinct warnings stay apart, in the order first seen; a single one prints as before', () => {
    // GIVEN
    const other: Finding = { rule: 'probes/liveness', severity: 'warning', file: 'a.k8s.yaml', object: 'Deployment/a', message: 'no liveness probe' };
    // WHEN
    const lines = warningLines([other, pinned(1), pinned(2)]);
    // THEN
    expect(lines).toEqual([
      'goship: warning: a.k8s.yaml Deployment/a [probes/liveness] no liveness probe',
      "goship: warning: [dockerfile/pinned-builder-image] stage 'build' uses 'golang:1.22' without a digest — … — pin it — 2 times: images/svc-1/Dockerfile:7, images/svc-2/Dockerfile:7",
    ]);
  });
});
