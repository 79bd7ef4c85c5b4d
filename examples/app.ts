import { GoshipApp } from '../lib';
import { HelloChart } from './hello/hello-chart';
import { ShopChart } from './shop/shop-chart';

// `npm run synth` writes dist/: hello.k8s.yaml and shop.k8s.yaml, a Dockerfile per image
// under images/, and one docker-bake.json for all four images.
const app = new GoshipApp();
const builderImage = process.env.GOSHIP_BUILDER_IMAGE;
new HelloChart(app, 'hello', { builderImage });
new ShopChart(app, 'shop', { builderImage });
app.synth();
