// The llm service kind and ai-mesh:llm as the config reads them: profile defaults, the keys an llm
// service takes and the ones it refuses, and every cross-field rule, each with its exact message.
import { parseConfig } from "../components/config";
import { LLM_IMAGES } from "../components/config/defaults";
import { configProblems, devRawWith, llmServiceOf, stackRaw } from "./support/configFixtures";

const problems = configProblems;

describe("an llm service", () => {
  it("takes its defaults from the llm profile: the OpenAI port, long timeouts, a GPU per tensor-parallel rank", () => {
    const chat = llmServiceOf(parseConfig(stackRaw("dev")), "chat");
    expect([chat.port, chat.timeout, chat.startupTimeout, chat.gpu]).toEqual([8000, "300s", "30m", 1]);
    expect(chat.resources).toEqual({ requests: { cpu: "3", memory: "12Gi" }, limits: { cpu: "4", memory: "14Gi" } });
    expect(chat.model).toMatchObject({ dtype: "bfloat16", tensorParallelSize: 1, gpuMemoryUtilization: 0.9 });
    expect([chat.healthPath, chat.readinessPath, chat.metricsPath]).toEqual(["/health", "/health", "/metrics"]);
    // A whole generation, not a request/response: the canary's P99 bound is two minutes.
    expect(chat.canary.maxP99Ms).toBe(120_000);
    expect(chat.autoscaling).toEqual({ waitingRequestsPerReplica: 4 });
  });

  it("takes as many GPUs as its tensor-parallel size, and none on the simulator", () => {
    const wide = llmServiceOf(parseConfig(devRawWith((r) => (r.services.chat.model.tensorParallelSize = 2))), "chat");
    expect(wide.gpu).toBe(2);
    const local = llmServiceOf(parseConfig(stackRaw("local")), "chat");
    expect([local.gpu, local.model.server, local.versions[0].image]).toEqual([0, "simulator", LLM_IMAGES.simulator]);
  });

  it("keeps the canary bounds a stack sets, filling in the rest", () => {
    const chat = llmServiceOf(
      parseConfig(devRawWith((r) => (r.services.chat.canary = { maxP99Ms: 30_000, steps: [50, 100] }))),
      "chat",
    );
    expect(chat.canary).toMatchObject({ maxP99Ms: 30_000, steps: [50, 100], minRequests: 20 });
  });

  it("refuses the HTTP services' routing keys, saying which keys it takes", () => {
    const raw = devRawWith((r) => {
      r.services.chat.mirror = { version: "v2", percent: 5 };
      r.services.chat.loadBalancer = "ROUND_ROBIN";
    });
    expect(problems(raw)).toEqual([
      'services.chat: "mirror", "loadBalancer" are not keys of an llm service (the endpoint picker balances its requests, the Gateway API routes them); allowed: profile, model, versions, port, timeout, replicas, autoscaling, canary, priority, resources, gpu, startupTimeout, env, egress',
    ]);
  });

  it("refuses a model source that is neither a hub repository nor an S3 prefix, and a revision that is not a commit", () => {
    const raw = devRawWith((r) => {
      r.services.chat.model.source = "https://huggingface.co/meta-llama";
      r.services.chat.model.revision = "main";
    });
    expect(problems(raw)).toEqual([
      'services.chat.model.source: must be a Hugging Face repository such as "meta-llama/Llama-3.1-8B-Instruct" or an S3 prefix such as "s3://models/llama-3.1-8b/" (got "https://huggingface.co/meta-llama")',
      'services.chat.model.revision: must be the full 40-character commit hash of the model repository (got "main")',
    ]);
  });
});

describe("an llm service's priority", () => {
  const MESSAGE =
    "must be an integer from -100 to 100: the priority of the model's InferenceObjective (negative: batch, shed first when every model server is saturated; 0 or more: interactive)";

  it("defaults to 0, the picker's own default, and keeps a batch model's negative priority", () => {
    expect(llmServiceOf(parseConfig(stackRaw("dev")), "chat").priority).toBe(0);
    expect(llmServiceOf(parseConfig(devRawWith((r) => (r.services.chat.priority = -10))), "chat").priority).toBe(-10);
  });

  it("refuses a fraction, a value out of range and a word, naming the key and what is allowed", () => {
    for (const [value, got] of [
      [1.5, "1.5"],
      [500, "500"],
      ["high", '"high"'],
    ] as const) {
      expect(problems(devRawWith((r) => (r.services.chat.priority = value)))).toEqual([
        `services.chat.priority: ${MESSAGE} (got ${got})`,
      ]);
    }
  });
});

describe("llm rules", () => {
  it("requires a pinned commit for every hub model vLLM downloads, the service's and a version's own", () => {
    const raw = devRawWith((r) => {
      delete r.services.chat.model.revision;
      // A fine-tune of the same architecture: the table does not know it, the service's facts hold.
      r.services.chat.versions[1].model = { source: "acme/Llama-3.1-8B-support" };
    });
    expect(problems(raw)).toEqual([
      "services.chat.model.revision: is required for the hub model meta-llama/Llama-3.1-8B-Instruct: the 40-character commit every replica loads (a branch can move under a running fleet)",
      "services.chat.versions[1].model.revision: is required for the hub model acme/Llama-3.1-8B-support: the 40-character commit every replica loads (a branch can move under a running fleet)",
    ]);
  });

  it("lets a version keep the service's revision when it only changes the image", () => {
    expect(problems(stackRaw("dev"))).toEqual([]);
  });

  it("refuses a hub revision on an S3 source, and S3 sources on a cluster without EKS Pod Identity", () => {
    const s3 = devRawWith((r) => (r.services.chat.model.source = "s3://models-corp/llama-3.1-8b/"));
    expect(problems(s3)).toEqual([
      "services.chat.model.revision: pins a hub commit, but the source s3://models-corp/llama-3.1-8b/ is in S3",
    ]);
    const existing = devRawWith((r) => {
      r.cluster = { mode: "existing", name: "lab", gpu: true };
      r.services.chat.model.source = "s3://models-corp/llama-3.1-8b/";
      delete r.services.chat.model.revision;
    });
    expect(problems(existing)).toEqual([
      'services.chat.model.source: "s3://models-corp/llama-3.1-8b/" is read with EKS Pod Identity, which an existing cluster does not have here; use a hub repository',
    ]);
  });

  it("puts vLLM only where there are GPUs, the simulator only on CPUs, and a GPU per tensor-parallel rank", () => {
    const noGpus = devRawWith((r) => (r.cluster = { mode: "existing", name: "lab" }));
    expect(problems(noGpus)).toEqual([
      'services.chat.model.server: is "vllm", which needs NVIDIA GPUs, and this cluster has none (cluster.gpu false); use "simulator" here',
    ]);
    const simOnGpu = devRawWith((r) => {
      r.services.chat.model.server = "simulator";
      r.services.chat.gpu = 1;
    });
    expect(problems(simOnGpu)).toEqual(["services.chat.gpu: is 1, but the simulator runs on a CPU; set it to 0"]);
    const mismatch = devRawWith((r) => {
      r.services.chat.model.tensorParallelSize = 2;
      r.services.chat.gpu = 1;
    });
    expect(problems(mismatch)).toEqual([
      "services.chat.gpu: is 1, but model.tensorParallelSize 2 spreads each replica over 2 GPU(s); leave gpu out or make them equal",
    ]);
  });

  it("routes each model name to one service", () => {
    const raw = devRawWith((r) => (r.services.assistant = JSON.parse(JSON.stringify(r.services.chat))));
    expect(problems(raw)).toEqual([
      'services.assistant.model.name: "meta-llama/Llama-3.1-8B-Instruct" is also served by services.chat; a model name routes to one service (make it a version of that service to split traffic)',
    ]);
  });

  it("keeps llm services out of the call graph: the LLM gateway is their only caller", () => {
    const raw = devRawWith((r) => {
      r.callGraph = [
        { from: "ingressGateway", to: "web", methods: ["GET"], paths: ["/*"] },
        { from: "web", to: "chat", methods: ["POST"], paths: ["/v1/*"] },
      ];
    });
    expect(problems(raw)).toEqual([
      'callGraph[1].to: "chat" is an llm service: clients reach it through the LLM gateway (ai-mesh:llm.gateway) and it calls nothing, so it has no edges in the call graph',
    ]);
  });

  it("needs Prometheus: KEDA scales the model servers on the queue it scrapes", () => {
    const raw = devRawWith((r) => (r.observability.enabled = false));
    expect(problems(raw)).toEqual([
      "observability.enabled: is false, but llm services (chat) scale on vLLM's queue, which KEDA reads from the stack's Prometheus",
    ]);
  });

  it("keeps pool names short enough for the picker names the chart derives from them", () => {
    const raw = devRawWith((r) => {
      r.services.conversationalAssistantModel = r.services.chat;
      delete r.services.chat;
      r.services.conversationalAssistantModel.versions[1].name = "candidate-v2";
    });
    expect(problems(raw)).toEqual([
      'services.conversationalAssistantModel: the InferencePool "conversational-assistant-model-candidate-v2" would be 43 characters, more than 40 (its endpoint picker is named from the first 40); shorten the service or version names',
    ]);
  });

  it("checks the LLM gateway's replica range like the ingress gateway's", () => {
    const raw = devRawWith((r) => (r.llm.gateway = { ...r.llm.gateway, minReplicas: 3, maxReplicas: 2 }));
    expect(problems(raw)).toEqual(["llm.gateway: minReplicas 3 is greater than maxReplicas 2"]);
  });

  it("gives ai-mesh:llm its defaults when a stack with llm services says nothing", () => {
    const config = parseConfig(devRawWith((r) => delete r.llm));
    expect(config.llm).toMatchObject({ namespace: "llm-gateway", crds: "install", keda: "install", pickerReplicas: 1 });
    expect(config.llm.gateway).toMatchObject({
      minReplicas: 2,
      maxReplicas: 6,
      hosts: ["*"],
      serviceType: "LoadBalancer",
    });
  });
});
