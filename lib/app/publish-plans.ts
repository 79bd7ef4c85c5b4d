import type { GoStaticImage } from '../image/go-static-image';
import { PublishPlan, publishPlan } from '../image/publish-plan';
import { writeFileAtomic } from '../output/atomic-output';

/** The variable `goship publish` sets when it runs the app: the file to write the plans to. */
export const PUBLISH_PLAN_ENV = 'GOSHIP_PUBLISH_PLAN';

/** What an app hands to `goship publish`: its images' plans, its output folder and pin file. */
export interface PublishPlans {
  readonly outdir: string;
  readonly pinsFile?: string;
  readonly images: readonly PublishPlan[];
}

/** Writes the plans of `images` (atomically) for `goship publish` to read. */
export function writePublishPlans(file: string, images: readonly GoStaticImage[], outdir: string, pinsFile: string | undefined): void {
  const plans: PublishPlans = { outdir, pinsFile, images: images.map(publishPlan) };
  writeFileAtomic(file, `${JSON.stringify(plans, null, 2)}\n`);
}
