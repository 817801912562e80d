// Schemas for the custom resources no model package covers (the Inference Extension's
// InferenceObjective): each version's openAPIV3Schema from the CRDs the stack installs, read where
// `npm run charts` reads them, the pinned Go module (components/charts/manifests.ts). Needs go.
import * as fs from "fs";
import * as path from "path";
import { Ajv, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { CRD_MANIFESTS } from "../components/charts/manifests";
import { moduleDir } from "../cli/goModules";

interface Crd {
  kind: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema: object } }[];
  };
}

/** Kubernetes extensions (x-kubernetes-*) and formats are not JSON Schema: ajv ignores them. */
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
let validators: Map<string, ValidateFunction> | undefined;

/** "<apiVersion>/<kind>" → its validator, for every served version of every pinned CRD. */
function crdValidators(): Map<string, ValidateFunction> {
  if (validators) return validators;
  validators = new Map();
  for (const ref of Object.values(CRD_MANIFESTS)) {
    const dir = moduleDir(ref.goModule);
    for (const file of ref.goModule.files) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8")).map((d) => d.toJS() as Crd)) {
        if (doc?.kind !== "CustomResourceDefinition") continue;
        for (const version of doc.spec.versions.filter((v) => v.served && v.schema)) {
          validators.set(
            `${doc.spec.group}/${version.name}/${doc.spec.names.kind}`,
            ajv.compile(version.schema!.openAPIV3Schema),
          );
        }
      }
    }
  }
  return validators;
}

/** The apiVersions this module can check: only the Inference Extension's alpha group, which no package covers. */
const CRD_GROUPS = ["inference.networking.x-k8s.io/"];

/**
 * A validator for the kind from its pinned CRD, or undefined when it is not one of CRD_GROUPS' kinds.
 * It throws an Error listing every violation (ajv's paths, as the model packages word them).
 */
export function crdModel(apiVersion: string, kind: string): ((object: unknown) => void) | undefined {
  if (!CRD_GROUPS.some((group) => apiVersion.startsWith(group))) return undefined;
  const validate = crdValidators().get(`${apiVersion}/${kind}`);
  if (!validate) return undefined;
  return (object) => {
    if (validate(object)) return;
    throw new Error((validate.errors ?? []).map((e) => `data${e.instancePath} ${e.message}`).join(", "));
  };
}
