import { GoshipApp } from '../lib';
import { HelloChart } from './hello/hello-chart';
import { ShopChart } from './shop/shop-chart';

// `npm run synth` writes dist/: hello.k8s.yaml and shop.k8s.yaml, a Dockerfile per image
// under images/, and one docker-bake.json for all four images.
const app = new GoshipApp();
// A company's CI sets these to its own builder image and module proxy; unset, the Dockerfiles
// say `FROM golang:1.26` and download through the builder image's default proxy.
const builderImage = process.env.GOSHIP_BUILDER_IMAGE;
const goProxy = process.env.GOSHIP_GOPROXY;
new HelloChart(app, 'hello', { builderImage, goProxy });
new ShopChart(app, 'shop', { builderImage, goProxy });
app.synth();
