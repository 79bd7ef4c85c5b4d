import { ManifestRule, say } from './finding';
import { KubeObject, dig } from './workloads';

/**
 * Per-object opt-out: `metadata.annotations['goship.dev/skip']: <rule or group>[,…]`, e.g.
 * `pss-restricted/run-as-non-root` or the whole group `probes`.
 */

/** The annotation an object opts out of rules with. */
export const SKIP_ANNOTATION = 'goship.dev/skip';

/** The group of a rule id: `probes` for `probes/readiness`. */
export const ruleGroup = (id: string): string => id.slice(0, id.indexOf('/'));

/** The rule ids and groups an object's annotation names (empty when it has none). */
export function skippedBy(obj: KubeObject): string[] {
  const v = dig(obj.raw, 'metadata', 'annotations', SKIP_ANNOTATION);
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}

/** Whether a rule is named, by id or group, in a list of skips. */
export function isSkipped(ruleId: string, skips: readonly string[]): boolean {
  return skips.includes(ruleId) || skips.includes(ruleGroup(ruleId));
}

/** A rule that reports skip annotations naming no rule or group, so a typo never silently checks everything. */
export function skipAnnotationRule(known: () => readonly string[]): ManifestRule {
  return {
    target: 'manifests',
    id: 'policy/skip-annotation',
    severity: 'warning',
    description: `Every entry of a ${SKIP_ANNOTATION} annotation names a rule or a rule group.`,
    check: (set) => set.objects.flatMap((on) => {
      const ids = known();
      const unknown = skippedBy(on).filter((s) => !ids.includes(s) && !ids.some((id) => ruleGroup(id) === s));
      return unknown.map((s) => ({ on, message: say(`annotation ${SKIP_ANNOTATION} names '${s}', which is no rule or rule group`,
        'nothing is skipped for it, and the rule it meant still runs', "use a rule id or group from 'goship check --list-rules'") }));
    }),
  };
}
