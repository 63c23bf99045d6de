import { join } from 'node:path';
import { AssetHashType } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { buildSharedLayer } from '#infra/layer/build-shared-layer';
import { REPO_ROOT, SHARED_PACKAGE } from '#infra/layer/shared-module';
import { AURUM_RUNTIME } from './aurum-function.ts';

/**
 * lib/ pre-bundled as the package `/opt/nodejs/node_modules/@aurum/shared`, code-split into one ESM module
 * per shared specifier (`@aurum/shared/lib/http/registry`) and shared chunks, built locally
 * by esbuild (no Docker). The asset hash is the build output's, so a lib/ change publishes a new version
 * and an unchanged lib/ publishes nothing.
 */
export class SharedLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.layer = new LayerVersion(this, 'Layer', {
      description: `Aurum shared code (${SHARED_PACKAGE}): lib/ and the packages functions share with it`,
      compatibleRuntimes: [AURUM_RUNTIME],
      compatibleArchitectures: [Architecture.ARM_64],
      code: Code.fromAsset(join(REPO_ROOT, 'lib'), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Required by the API, never run: the local build below always succeeds or throws.
          image: Runtime.NODEJS_22_X.bundlingImage,
          local: {
            tryBundle(outputDir: string) {
              buildSharedLayer(outputDir);
              return true;
            },
          },
        },
      }),
    });
  }
}
