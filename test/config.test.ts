import * as fs from "fs";
import * as path from "path";
import { ConfigError, isLlm, parseConfig, rawConfig } from "../components/config";
import { DEFAULT_MODEL, LLM_IMAGES } from "../components/config/defaults";
import { INSTANCE_TYPES } from "../components/core/instanceTypes";
import { ROOT } from "../cli/project";
import {
  devRaw,
  devRawWith,
  llmServiceOf,
  serviceOf,
  stackRaw,
  useManagedGpus,
  configProblems,
} from "./support/configFixtures";

const problems = configProblems;

describe("the dev stack config", () => {
  it("is valid and gets every default filled in", () => {
    const config = parseConfig(devRaw());
    expect(config.environment).toBe("dev");
    expect(config.cluster.mode).toBe("eks");
    if (config.cluster.mode !== "eks") throw new Error("unreachable");
    expect(config.cluster.logRetentionDays).toBe(90);
    expect(config.cluster.systemNodes.amiType).toBe("AL2023_x86_64_STANDARD");
    expect(config.istio.ingress.serviceType).toBe("LoadBalancer");
    expect(serviceOf(config, "web").outlierDetection).toEqual({
      consecutive5xxErrors: 5,
      interval: "30s",
      baseEjectionTime: "60s",
      maxEjectionPercent: 50,
    });
    expect(serviceOf(config, "web").retries?.retryOn).toBe("connect-failure,refused-stream,unavailable,cancelled");
    expect(config.callGraph).toEqual([
      { from: "ingressGateway", to: "web", methods: ["GET", "POST"], paths: ["/*"] },
      { from: "web", to: "imageProcessor", methods: ["POST"], paths: ["/process"] },
      { from: "web", to: "objectDetector", methods: ["POST"], paths: ["/detect"] },
    ]);
  });

  it("defaults object-detector to one GPU, minutes of startup and connection-only retries", () => {
    const config = parseConfig(
      devRawWith((raw) => {
        delete raw.services.objectDetector.gpu;
        raw.services.objectDetector.retries = { attempts: 1, perTryTimeout: "5s" };
      }),
    );
    expect(serviceOf(config, "objectDetector").gpu).toBe(1);
    expect(serviceOf(config, "objectDetector").startupTimeout).toBe("10m");
    expect(serviceOf(config, "objectDetector").retries?.retryOn).toBe("connect-failure,refused-stream");
    expect(serviceOf(config, "web").gpu).toBe(0);
  });
});

describe("services are data", () => {
  const image = (name: string) => `ghcr.io/ai-mesh/ai-mesh-${name}:0.1.0`;

  it("gives a stack that names no service the design's three, wired by the design's call graph", () => {
    for (const services of [undefined, { namespace: "apps" }]) {
      const config = parseConfig(devRawWith((r) => (services ? (r.services = services) : delete r.services)));
      expect(config.services.list.map((s) => [s.key, s.app, s.profile, s.versions[0].image])).toEqual([
        ["web", "web", "frontend", image("web")],
        ["imageProcessor", "image-processor", "cpu-inference", image("image-processor")],
        ["objectDetector", "object-detector", "gpu-inference", image("object-detector")],
      ]);
      expect(config.services.namespace).toBe(services?.namespace ?? "ai");
      expect(config.callGraph.map((e) => `${e.from}→${e.to}`)).toEqual([
        "ingressGateway→web",
        "web→imageProcessor",
        "web→objectDetector",
      ]);
    }
  });

  it("takes any number of services, each filled in from its profile", () => {
    const config = parseConfig(
      devRawWith((r) => {
        r.services.llm = {
          profile: "gpu-inference",
          versions: [{ name: "v1", image: "repo/llm:1.0.0", weight: 100 }],
          retries: { attempts: 1, perTryTimeout: "20s" },
          timeout: "60s",
        };
        r.services.embeddings = { versions: [{ name: "v1", image: "repo/embed:2.1.0", weight: 100 }] };
      }),
    );
    const llm = serviceOf(config, "llm");
    expect([llm.app, llm.gpu, llm.startupTimeout, llm.retries?.retryOn]).toEqual([
      "llm",
      1,
      "10m",
      "connect-failure,refused-stream",
    ]);
    expect(llm.resources).toEqual({ requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "4", memory: "16Gi" } });
    const embeddings = serviceOf(config, "embeddings");
    expect([embeddings.profile, embeddings.gpu, embeddings.startupTimeout]).toEqual(["cpu-inference", 0, "120s"]);
    expect(config.services.list.map((s) => s.key)).toEqual([
      "web",
      "imageProcessor",
      "objectDetector",
      "chat",
      "llm",
      "embeddings",
    ]);
  });

  it("keeps the design's edges between the services that exist when the call graph is not set", () => {
    const config = parseConfig(
      devRawWith((r) => {
        r.services = { web: r.services.web, llm: { versions: [{ name: "v1", image: "repo/llm:1.0.0", weight: 100 }] } };
        delete r.callGraph;
      }),
    );
    expect(config.callGraph.map((e) => `${e.from}→${e.to}`)).toEqual(["ingressGateway→web"]);
  });

  it("rejects an unknown profile with the allowed ones", () => {
    const raw = devRawWith((r) => (r.services.web.profile = "gpu"));
    expect(problems(raw)).toEqual([
      'services.web.profile: must be one of frontend, cpu-inference, gpu-inference, llm (got "gpu")',
    ]);
  });

  it("rejects service names that cannot become Kubernetes names", () => {
    const version = [{ name: "v1", image: "repo/x:1.0.0", weight: 100 }];
    const raw = devRawWith((r) => {
      r.services["Image_Resizer"] = { versions: version };
      r.services.ingressGateway = { versions: version };
      r.services.aVeryLongServiceNameThatGoesOnAndOnForeverAndEverMore = {
        versions: [{ name: "canary-candidate", image: "repo/x:1.0.0", weight: 100 }],
      };
    });
    expect(problems(raw)).toEqual([
      'services.Image_Resizer: "Image_Resizer" is not a service name: camelCase letters and digits, starting with a lowercase letter (e.g. objectDetector, which becomes object-detector)',
      'services.ingressGateway: "ingressGateway" is not a service name: camelCase letters and digits, starting with a lowercase letter (e.g. objectDetector, which becomes object-detector); ingressGateway is reserved for the call graph',
      'services.aVeryLongServiceNameThatGoesOnAndOnForeverAndEverMore: the Kubernetes name "a-very-long-service-name-that-goes-on-and-on-forever-and-ever-more-canary-candidate" would be 83 characters, more than 63; shorten the service or version names',
    ]);
  });
});

describe("the services' images and model", () => {
  const servicesVersion = JSON.parse(fs.readFileSync(path.join(ROOT, "services", "package.json"), "utf8")).version;

  it("gives object-detector the pinned model and the hosts it downloads from, when a stack names no service", () => {
    const config = parseConfig(devRawWith((r) => delete r.services));
    const detector = serviceOf(config, "objectDetector");
    expect(detector.env).toEqual(DEFAULT_MODEL.env);
    expect(detector.egress).toEqual(["github.com", "media.githubusercontent.com"]);
    expect(DEFAULT_MODEL.env.MODEL_URL).toMatch(/^https:\/\/github\.com\/onnx\/models\/raw\/[0-9a-f]{40}\/.+\.onnx$/);
    expect(DEFAULT_MODEL.env.MODEL_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(serviceOf(config, "web").egress).toEqual([]);
  });

  it("has every committed stack run the images services/ publishes, at its version, with the same model", () => {
    for (const stack of ["dev", "local"]) {
      const config = parseConfig(stackRaw(stack));
      for (const service of config.services.list.filter((s) => !isLlm(s))) {
        for (const version of service.versions) {
          expect(version.image).toMatch(
            new RegExp(`^ghcr\\.io/ai-mesh/ai-mesh-${service.app}:${servicesVersion}(-cpu)?$`),
          );
        }
      }
      expect(serviceOf(config, "objectDetector").env).toEqual(DEFAULT_MODEL.env);
    }
  });

  it("gives llm versions the pinned image of their model server when they name none", () => {
    const local = llmServiceOf(parseConfig(stackRaw("local")), "chat");
    expect(local.versions.map((v) => v.image)).toEqual([LLM_IMAGES.simulator, LLM_IMAGES.simulator]);
    const dev = llmServiceOf(
      parseConfig(devRawWith((r) => r.services.chat.versions.forEach((v: { image?: string }) => delete v.image))),
      "chat",
    );
    expect(dev.versions.map((v) => v.image)).toEqual([LLM_IMAGES.vllm, LLM_IMAGES.vllm]);
    expect(Object.values(LLM_IMAGES).every((image) => /:v\d+\.\d+\.\d+$/.test(image))).toBe(true);
  });

  it("rejects an egress host that is not a plain host name", () => {
    const raw = devRawWith(
      (r) => (r.services.objectDetector.egress = ["*.github.com", "github.com:443", "GitHub.com", "models"]),
    );
    const allowed = "must be a fully qualified host name such as github.com (lowercase, no wildcard, no port)";
    expect(problems(raw)).toEqual([
      `services.objectDetector.egress[0]: ${allowed} (got "*.github.com")`,
      `services.objectDetector.egress[1]: ${allowed} (got "github.com:443")`,
      `services.objectDetector.egress[2]: ${allowed} (got "GitHub.com")`,
      `services.objectDetector.egress[3]: ${allowed} (got "models")`,
    ]);
  });
});

describe("canary rules", () => {
  it("accepts two, three or more versions that sum to 100 (e.g. 60/30/10)", () => {
    const raw = devRawWith((r) => {
      r.services.imageProcessor.versions = [
        { name: "v1", image: "repo/ip:1", weight: 60 },
        { name: "v2", image: "repo/ip:2", weight: 30 },
        { name: "v3", image: "repo/ip:3", weight: 10 },
      ];
    });
    expect(problems(raw)).toEqual([]);
  });

  it("rejects weights that do not sum to 100, naming the key path and the sum", () => {
    const raw = devRawWith((r) => (r.services.objectDetector.versions[0].weight = 80));
    expect(problems(raw)).toEqual(["services.objectDetector.versions: weights sum to 90, must be 100"]);
  });

  it("rejects duplicate version names", () => {
    const raw = devRawWith((r) => (r.services.objectDetector.versions[1].name = "v1"));
    expect(problems(raw)).toEqual([
      "services.objectDetector.versions: duplicate version name(s) v1; names must be unique",
    ]);
  });

  it("rejects non-integer and out-of-range weights with the value", () => {
    const raw = devRawWith((r) => {
      r.services.web.versions[0].weight = 99.5;
      r.services.imageProcessor.versions[0].weight = 120;
    });
    expect(problems(raw)).toEqual([
      "services.web.versions[0].weight: Invalid input: expected int, received number (got 99.5)",
      "services.imageProcessor.versions[0].weight: Too big: expected number to be <=100 (got 120)",
    ]);
  });

  it("rejects a mirror to a version that is not declared", () => {
    const raw = devRawWith((r) => (r.services.objectDetector.mirror = { version: "v9", percent: 5 }));
    expect(problems(raw)).toEqual([
      'services.objectDetector.mirror.version: "v9" is not a declared version; declared: v1, v2, v3',
    ]);
  });

  it("rejects retries combined with fault injection on the same route", () => {
    const raw = devRawWith((r) => (r.services.imageProcessor.retries = { attempts: 2, perTryTimeout: "5s" }));
    expect(problems(raw)).toEqual([
      "services.imageProcessor.faultInjection: cannot be combined with retries on the same route (Istio silently drops retries when a fault is set); remove one",
    ]);
  });

  it("rejects perTryTimeout that is not shorter than the timeout", () => {
    const raw = devRawWith((r) => (r.services.web.retries.perTryTimeout = "15s"));
    expect(problems(raw)).toEqual(["services.web.retries.perTryTimeout: 15s must be shorter than timeout 15s"]);
  });

  it("rejects fault injection in production", () => {
    const raw = devRawWith((r) => (r.environment = "production"));
    expect(problems(raw)).toEqual([
      "services.imageProcessor.faultInjection: is not allowed when environment is production",
    ]);
  });

  it("rejects an image without a tag or with latest", () => {
    const raw = devRawWith((r) => {
      r.services.web.versions[0].image = "repo/web";
      r.services.imageProcessor.versions[0].image = "repo/ip:latest";
    });
    expect(problems(raw)).toEqual([
      'services.web.versions[0].image: image has no tag or digest (pin a version tag or a sha256 digest) (got "repo/web")',
      'services.imageProcessor.versions[0].image: image uses the "latest" tag (pin a version tag or a sha256 digest) (got "repo/ip:latest")',
    ]);
  });
});

describe("cluster rules", () => {
  it("refuses a public endpoint open to 0.0.0.0/0 unless explicitly allowed", () => {
    const open = devRawWith((r) => (r.cluster.endpointPublicAccessCidrs = ["0.0.0.0/0"]));
    expect(problems(open)).toEqual([
      'cluster.endpointPublicAccessCidrs[0]: "0.0.0.0/0" opens the API server to the internet; list your networks, or set allowPublicEndpointFromAnywhere: true to accept that',
    ]);
    const allowed = devRawWith((r) => {
      r.cluster.endpointPublicAccessCidrs = ["0.0.0.0/0"];
      r.cluster.allowPublicEndpointFromAnywhere = true;
    });
    expect(problems(allowed)).toEqual([]);
  });

  it("rejects a malformed CIDR", () => {
    const raw = devRawWith((r) => (r.cluster.endpointPublicAccessCidrs = ["203.0.113.0/33"]));
    expect(problems(raw)).toEqual([
      'cluster.endpointPublicAccessCidrs[0]: must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24 (got "203.0.113.0/33")',
    ]);
  });

  it("requires CIDRs when the public endpoint is on", () => {
    const raw = devRawWith((r) => (r.cluster.endpointPublicAccessCidrs = []));
    expect(problems(raw)).toEqual([
      "cluster.endpointPublicAccessCidrs: must list at least one CIDR when endpointPublicAccess is true (or set endpointPublicAccess: false)",
    ]);
  });

  it("rejects an unknown AMI type with the allowed ones", () => {
    const raw = devRawWith((r) => useManagedGpus(r, { amiType: "AL2_x86_64_GPU" }));
    expect(problems(raw)).toEqual([
      'cluster.gpuNodes.amiType: Invalid option: expected one of "AL2023_x86_64_NVIDIA"|"AL2023_ARM_64_NVIDIA"|"BOTTLEROCKET_x86_64_NVIDIA"|"BOTTLEROCKET_ARM_64_NVIDIA" (got "AL2_x86_64_GPU")',
    ]);
  });

  it("rejects minSize > maxSize", () => {
    const raw = devRawWith((r) => Object.assign(r.cluster.systemNodes, { minSize: 5, desiredSize: 5, maxSize: 4 }));
    expect(problems(raw)).toEqual([
      "cluster.systemNodes: sizes must satisfy minSize <= desiredSize <= maxSize, got 5 / 5 / 4",
    ]);
  });

  it("rejects a GPU group without GPU instance types", () => {
    const raw = devRawWith((r) => useManagedGpus(r, { instanceTypes: ["g5.xlarge", "m6i.large"] }));
    expect(problems(raw)).toEqual([
      'cluster.gpuNodes.instanceTypes[1]: "m6i.large" is not an NVIDIA GPU instance type for AL2023_x86_64_NVIDIA; allowed families: g4dn, g5, g6, g6e',
    ]);
  });

  it("offers the same GPU families when it refuses an NVIDIA type the table does not know", () => {
    const raw = devRawWith((r) => useManagedGpus(r, { instanceTypes: ["p5.48xlarge"] }));
    expect(problems(raw)).toEqual([
      'cluster.gpuNodes.instanceTypes[0]: "p5.48xlarge" is not in the instance table (components/core/instanceTypes.ts); its families here: g4dn, g5, g6, g6e',
    ]);
    const system = devRawWith((r) => (r.cluster.systemNodes.instanceTypes = ["m5.large"]));
    expect(problems(system)).toEqual([
      'cluster.systemNodes.instanceTypes[0]: "m5.large" is not in the instance table (components/core/instanceTypes.ts); its families here: m6i, m7i, c6i, c7i, r6i, r7i',
    ]);
  });

  it("rejects an Arm GPU family on an x86 NVIDIA AMI, and an x86 one on an Arm AMI, naming what fits", () => {
    expect(problems(devRawWith((r) => useManagedGpus(r, { instanceTypes: ["g5g.xlarge"] })))).toEqual([
      'cluster.gpuNodes.instanceTypes[0]: "g5g.xlarge" is arm64, but cluster.gpuNodes.amiType AL2023_x86_64_NVIDIA boots x86_64; use x86_64 types (families g4dn, g5, g6, g6e) or an arm64 amiType (AL2023_ARM_64_NVIDIA, BOTTLEROCKET_ARM_64_NVIDIA)',
    ]);
    const armAmi = { amiType: "AL2023_ARM_64_NVIDIA", instanceTypes: ["g5g.xlarge", "g5.xlarge"] };
    expect(problems(devRawWith((r) => useManagedGpus(r, armAmi)))).toEqual([
      "cluster.gpuNodes.amiType: AL2023_ARM_64_NVIDIA boots arm64, but the GPU nodes run object-detector's CUDA image and vLLM, built for amd64 only; use an x86_64 NVIDIA amiType (AL2023_x86_64_NVIDIA, BOTTLEROCKET_x86_64_NVIDIA) with families g4dn, g5, g6, g6e",
      'cluster.gpuNodes.instanceTypes[1]: "g5.xlarge" is x86_64, but cluster.gpuNodes.amiType AL2023_ARM_64_NVIDIA boots arm64; use arm64 types (families g5g) or an x86_64 amiType (AL2023_x86_64_NVIDIA, BOTTLEROCKET_x86_64_NVIDIA)',
    ]);
  });

  it("rejects system node types of the other architecture than the AMI type's", () => {
    const arm = devRawWith((r) => (r.cluster.systemNodes.amiType = "AL2023_ARM_64_STANDARD"));
    expect(problems(arm)).toEqual([
      'cluster.systemNodes.instanceTypes[0]: "m6i.xlarge" is x86_64, but cluster.systemNodes.amiType AL2023_ARM_64_STANDARD boots arm64; use arm64 types (families m6g, m7g, c6g, c7g, r6g, r7g) or an x86_64 amiType (AL2023_x86_64_STANDARD)',
    ]);
    const graviton = devRawWith((r) => (r.cluster.systemNodes.instanceTypes = ["m7g.xlarge"]));
    expect(problems(graviton)).toEqual([
      'cluster.systemNodes.instanceTypes[0]: "m7g.xlarge" is arm64, but cluster.systemNodes.amiType AL2023_x86_64_STANDARD boots x86_64; use x86_64 types (families m6i, m7i, c6i, c7i, r6i, r7i) or an arm64 amiType (AL2023_ARM_64_STANDARD)',
    ]);
  });

  it("takes Graviton system nodes, and refuses an Arm GPU group: the CUDA image is amd64 only", () => {
    const raw = devRawWith((r) =>
      Object.assign(r.cluster.systemNodes, {
        amiType: "AL2023_ARM_64_STANDARD",
        instanceTypes: ["m7g.xlarge", "c7g.2xlarge", "r7g.large"],
      }),
    );
    expect(problems(raw)).toEqual([]);
    const armGpus = devRawWith((r) => {
      useManagedGpus(r, { amiType: "AL2023_ARM_64_NVIDIA", instanceTypes: ["g5g.2xlarge"] });
      delete r.services.chat;
    });
    expect(problems(armGpus)).toEqual([
      "cluster.gpuNodes.amiType: AL2023_ARM_64_NVIDIA boots arm64, but the GPU nodes run object-detector's CUDA image and vLLM, built for amd64 only; use an x86_64 NVIDIA amiType (AL2023_x86_64_NVIDIA, BOTTLEROCKET_x86_64_NVIDIA) with families g4dn, g5, g6, g6e",
    ]);
  });

  it("knows the Graviton families as EC2 publishes them: vCPU, memory, NVIDIA T4G GPUs, ENI pod limits", () => {
    expect(INSTANCE_TYPES["m7g.xlarge"]).toEqual({ arch: "arm64", vcpu: 4, memoryGiB: 16, gpus: 0, maxPods: 58 });
    expect(INSTANCE_TYPES["c7g.large"]).toEqual({ arch: "arm64", vcpu: 2, memoryGiB: 4, gpus: 0, maxPods: 29 });
    expect(INSTANCE_TYPES["r7g.8xlarge"]).toEqual({ arch: "arm64", vcpu: 32, memoryGiB: 256, gpus: 0, maxPods: 234 });
    expect(INSTANCE_TYPES["g5g.xlarge"]).toEqual({ arch: "arm64", vcpu: 4, memoryGiB: 8, gpus: 1, maxPods: 58 });
    expect(INSTANCE_TYPES["g5g.16xlarge"]).toEqual({ arch: "arm64", vcpu: 64, memoryGiB: 128, gpus: 2, maxPods: 737 });
    expect(INSTANCE_TYPES["m6i.large"].arch).toBe("x86_64");
  });

  it("requires aws:region in eks mode", () => {
    const raw = devRawWith((r) => delete r.region);
    expect(problems(raw)).toEqual([
      "aws:region: is required when cluster.mode is eks (pulumi config set aws:region us-west-2)",
    ]);
  });

  it("rejects an unknown mode and unknown keys", () => {
    expect(problems(devRawWith((r) => (r.cluster = { mode: "gke" })))).toEqual([
      'cluster.mode: must be "eks" or "existing"',
    ]);
    expect(problems(devRawWith((r) => (r.cluster.nodeCount = 3)))).toEqual(['cluster: Unrecognized key: "nodeCount"']);
  });

  it("accepts existing mode without region or node groups", () => {
    const raw = devRawWith((r) => {
      r.cluster = { mode: "existing", name: "ai-mesh", context: "kind-ai-mesh" };
      delete r.region;
      // Without GPUs an llm service runs the simulator (vLLM needs them: see the llm rules).
      r.services.chat.model.server = "simulator";
    });
    const config = parseConfig(raw);
    expect(config.cluster).toEqual({
      mode: "existing",
      name: "ai-mesh",
      context: "kind-ai-mesh",
      gpu: false,
      metricsServer: "install",
      kubeletInsecureTls: false,
    });
  });

  it("requires a stated cluster name in existing mode, never a kube context", () => {
    const raw = devRawWith((r) => {
      r.cluster = { mode: "existing", context: "kind-ai-mesh" };
      delete r.region;
    });
    expect(problems(raw)).toEqual([
      "cluster.name: is required in existing mode: a stable name for this cluster (for EKS, its cluster name), used as its identity so renaming a kube context never replaces resources",
    ]);
    const bad = devRawWith((r) => (r.cluster = { mode: "existing", name: "my cluster" }));
    expect(problems(bad)).toEqual([
      `cluster.name: must be a cluster name: letters, digits, '-' and '_', up to 100 (got "my cluster")`,
    ]);
  });
});

describe("istio, observability and call-graph rules", () => {
  it("rejects an invalid Istio version and a sampling percentage outside 0..100", () => {
    const raw = devRawWith((r) => {
      r.istio.version = "1.30";
      r.observability.tracingSamplePercent = 150;
    });
    expect(problems(raw)).toEqual([
      'istio.version: must be an Istio release such as "1.30.3" (got "1.30")',
      "observability.tracingSamplePercent: Too big: expected number to be <=100 (got 150)",
    ]);
  });

  it("rejects a call-graph edge to an unknown service and a self-call", () => {
    const bad = devRawWith((r) => (r.callGraph = [{ from: "web", to: "billing", methods: ["GET"], paths: ["/"] }]));
    expect(problems(bad)).toEqual([
      'callGraph[0].to: "billing" is not a declared service; declared: web, imageProcessor, objectDetector, chat',
    ]);
    const caller = devRawWith((r) => (r.callGraph = [{ from: "batch", to: "web", methods: ["GET"], paths: ["/"] }]));
    expect(problems(caller)).toEqual([
      'callGraph[0].from: "batch" is not a declared service; declared: ingressGateway, web, imageProcessor, objectDetector, chat',
    ]);
    const self = devRawWith((r) => (r.callGraph = [{ from: "web", to: "web", methods: ["GET"], paths: ["/"] }]));
    expect(problems(self)).toEqual(['callGraph[0]: "web" calling itself needs no policy; remove the edge']);
  });

  it("collects every problem into one error before anything is created", () => {
    const raw = devRawWith((r) => {
      r.services.objectDetector.versions[0].weight = 80;
      r.cluster.endpointPublicAccessCidrs = ["::/0"];
    });
    expect(() => parseConfig(raw)).toThrow(
      "Invalid stack config (2 problems):\n" +
        '  - cluster.endpointPublicAccessCidrs[0]: "::/0" opens the API server to the internet; list your networks, or set allowPublicEndpointFromAnywhere: true to accept that\n' +
        "  - services.objectDetector.versions: weights sum to 90, must be 100",
    );
  });

  it("says which call-graph edge names a service that is gone", () => {
    const raw = devRawWith((r) => {
      delete r.services.web;
      r.callGraph = [{ from: "ingressGateway", to: "web", methods: ["GET"], paths: ["/*"] }];
    });
    expect(problems(raw)).toEqual([
      'callGraph[0].to: "web" is not a declared service; declared: imageProcessor, objectDetector, chat',
    ]);
  });
});

describe("default providers", () => {
  it("requires pulumi:disable-default-providers to include * (or aws and kubernetes)", async () => {
    const { defaultProviderProblems } = await import("../components/config");
    expect(defaultProviderProblems(["*"])).toEqual([]);
    expect(defaultProviderProblems(["aws", "kubernetes"])).toEqual([]);
    expect(defaultProviderProblems(["aws"])).toEqual([
      {
        path: "pulumi:disable-default-providers",
        message: `is ["aws"]; must include "*" (pulumi config set --path 'pulumi:disable-default-providers[0]' '*')`,
      },
    ]);
  });

  it("stops the program before any resource when a stack leaves them enabled", async () => {
    const { runProgram } = await import("../plan/engine");
    const run = await runProgram({ config: { "pulumi:disable-default-providers": undefined } });
    expect(run.error?.message).toBe(
      "Invalid stack config (1 problem):\n" +
        `  - pulumi:disable-default-providers: is null; must include "*" (pulumi config set --path 'pulumi:disable-default-providers[0]' '*')`,
    );
    expect(run.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});

describe("keys of the ai-mesh: namespace", () => {
  const keys =
    "(keys: ai-mesh:environment, ai-mesh:cluster, ai-mesh:istio, ai-mesh:observability, ai-mesh:services, ai-mesh:callGraph, ai-mesh:charts, ai-mesh:llm, ai-mesh:alertWebhookUrl)";
  const misspelt = {
    "ai-mesh:observability": undefined,
    "ai-mesh:obserbability": { retention: "30d", storageSize: "100Gi" },
    "ai-mesh:environment": undefined,
    "ai-mesh:enviroment": "production",
    "ai-mesh:gpuBudget": 4,
  };

  it("refuses a key the program does not read, with the nearest one it does, before any resource", async () => {
    const { runProgram } = await import("../plan/engine");
    const run = await runProgram({ config: misspelt });
    expect(run.error?.message).toBe(
      "Invalid stack config (3 problems):\n" +
        `  - ai-mesh:obserbability: is not a key ai-mesh reads; did you mean ai-mesh:observability? ${keys}\n` +
        `  - ai-mesh:enviroment: is not a key ai-mesh reads; did you mean ai-mesh:environment? ${keys}\n` +
        `  - ai-mesh:gpuBudget: is not a key ai-mesh reads ${keys}`,
    );
    expect(run.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("refuses them when a stack file is read for the canary too", () => {
    expect(() => rawConfig({ "aws:region": "us-west-2", "ai-mesh:enviroment": "production" })).toThrow(
      new ConfigError([
        {
          path: "ai-mesh:enviroment",
          message: `is not a key ai-mesh reads; did you mean ai-mesh:environment? ${keys}`,
        },
      ]),
    );
    // The name after "ai-mesh:" is compared: the namespace alone made region look like istio.
    expect(() => rawConfig({ "ai-mesh:region": "us-west-2" })).toThrow(
      new ConfigError([{ path: "ai-mesh:region", message: `is not a key ai-mesh reads ${keys}` }]),
    );
    expect(() => rawConfig({ "ai-mesh:clsuter": {} })).toThrow(
      new ConfigError([
        { path: "ai-mesh:clsuter", message: `is not a key ai-mesh reads; did you mean ai-mesh:cluster? ${keys}` },
      ]),
    );
    // Other namespaces belong to their providers.
    expect(rawConfig({ "aws:region": "us-west-2", "aws:profile": "dev", "ai-mesh:environment": "dev" })).toEqual({
      region: "us-west-2",
      environment: "dev",
    });
  });
});
