// Weights that outlive a pod: on EKS every GPU node (AL2023: each Karpenter node, a managed group of
// an AL2023 AMI) creates /var/lib/ai-mesh/models at boot, owned by the pods' UID, and model servers
// mount it as their model cache; a restarted or second pod on the node loads the weights from disk.
// Bottlerocket groups and existing clusters keep the pod's own emptyDir.
import { modelCacheUserData } from "../components/cluster/modelCache";
import { deploy, type RunResult } from "../plan/engine";
import { at, ofType, one } from "../plan/query";
import type { RecordedResource } from "../plan/recorder";
import { MANAGED_GPUS } from "./support/configFixtures";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- recorded inputs are free-form

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const HOST_CACHE = { name: "model-cache", hostPath: { path: "/var/lib/ai-mesh/models", type: "Directory" } };

const inputs = (r: RecordedResource | undefined): Json => r!.inputs;
const modelPod = (run: RunResult): Json =>
  inputs(ofType(run.resources, DEPLOYMENT).find((r) => at(r.inputs, "metadata.name") === "chat-v1")).spec.template.spec;
const cacheVolume = (run: RunResult) => modelPod(run).volumes.find((v: Json) => v.name === "model-cache");

describe("the GPU nodes' model cache", () => {
  it("is made at boot by a shell part of the node's user data, for the pods' UID alone", () => {
    expect(modelCacheUserData()).toBe(
      [
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="AI-MESH-MODEL-CACHE"',
        "",
        "--AI-MESH-MODEL-CACHE",
        'Content-Type: text/x-shellscript; charset="us-ascii"',
        "",
        "#!/bin/bash",
        "set -euo pipefail",
        "install -d -m 0750 -o 10001 -g 10001 /var/lib/ai-mesh/models",
        "",
        "--AI-MESH-MODEL-CACHE--",
        "",
      ].join("\n"),
    );
  });

  describe("with Karpenter (the dev stack)", () => {
    let run: RunResult;
    beforeAll(async () => {
      run = await deploy();
    });

    it("gives the GPU EC2NodeClass the user data, and the general one none", () => {
      const nodeClass = (name: string) =>
        inputs(ofType(run.resources, NODE_CLASS).find((r) => at(r.inputs, "metadata.name") === name)).spec;
      expect(nodeClass("gpu").userData).toBe(modelCacheUserData());
      expect(nodeClass("general").userData).toBeUndefined();
    });

    it("mounts the node's directory as the model servers' weights, where the hub cache and S3 copies go", () => {
      const pod = modelPod(run);
      expect(cacheVolume(run)).toEqual(HOST_CACHE);
      const server = pod.containers[0];
      expect(server.volumeMounts).toContainEqual({ name: "model-cache", mountPath: "/models" });
      expect(server.env).toContainEqual({ name: "HF_HOME", value: "/models/huggingface" });
      // The node's directory already belongs to the pods' UID: no root init container chowns it.
      expect(pod.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
      expect(pod.initContainers).toBeUndefined();
    });
  });

  it("comes with a managed group of an AL2023 AMI, in its launch template", async () => {
    const run = await deploy({ config: MANAGED_GPUS });
    const template = one(run.resources, LAUNCH_TEMPLATE, "nodes-gpu");
    expect(Buffer.from(inputs(template).userData, "base64").toString()).toBe(modelCacheUserData());
    expect(inputs(one(run.resources, LAUNCH_TEMPLATE, "nodes-system")).userData).toBeUndefined();
    expect(cacheVolume(run)).toEqual(HOST_CACHE);
  });

  it("is not on Bottlerocket (its user data is settings, not a script): the pod keeps its own emptyDir", async () => {
    const run = await deploy({
      config: {
        "ai-mesh:cluster": {
          gpuNodes: { ...MANAGED_GPUS["ai-mesh:cluster"].gpuNodes, amiType: "BOTTLEROCKET_x86_64_NVIDIA" },
          generalNodes: undefined,
        },
      },
    });
    expect(inputs(one(run.resources, LAUNCH_TEMPLATE, "nodes-gpu")).userData).toBeUndefined();
    expect(cacheVolume(run)).toEqual({ name: "model-cache", emptyDir: { sizeLimit: "18Gi" } });
  });
});
