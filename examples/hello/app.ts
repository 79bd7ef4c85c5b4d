import { GoshipApp } from '../../lib';
import { HelloChart } from './hello-chart';

// `npm run synth` writes dist/: hello.k8s.yaml, images/hello/Dockerfile, docker-bake.json.
const app = new GoshipApp();
new HelloChart(app, 'hello', { builderImage: process.env.GOSHIP_BUILDER_IMAGE });
app.synth();
