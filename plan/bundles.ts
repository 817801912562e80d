// What a kubernetes:yaml/v2:ConfigFile applies, for the plan's tree. The recording engine expands no
// YAML bundle, so the contents come from the file itself when it is on disk (charts.directory), else
// from the contents pinned beside the bundle's release asset (components/charts/manifests.ts).
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { CRD_MANIFESTS } from "../components/charts/manifests";

/** One object a bundle applies: a CRD by the `group/Kind` it defines, anything else by its name. */
export interface BundleObject {
  kind: string;
  name: string;
}

interface Parsed {
  kind?: string;
  metadata?: { name?: string };
  spec?: { group?: string; names?: { kind?: string } };
}

/** The objects of a multi-document YAML text, in file order. */
export function bundleObjects(text: string): BundleObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Parsed | null)
    .filter((object): object is Parsed & { kind: string } => Boolean(object?.kind))
    .map((object) =>
      object.kind === "CustomResourceDefinition"
        ? { kind: object.kind, name: `${object.spec?.group}/${object.spec?.names?.kind}` }
        : { kind: object.kind, name: object.metadata?.name ?? "(unnamed)" },
    );
}

/** The objects the bundle at `file` (a path or a URL) applies; undefined when neither it nor its pin is known here. */
export function bundleContents(file: string): BundleObject[] | undefined {
  if (!/^[a-z]+:\/\//.test(file) && fs.existsSync(file)) return bundleObjects(fs.readFileSync(file, "utf8"));
  const ref = Object.values(CRD_MANIFESTS).find((r) => r.url === file || r.file === path.basename(file));
  if (!ref) return undefined;
  return [
    ...ref.holds.crds.map((name) => ({ kind: "CustomResourceDefinition", name })),
    ...ref.holds.others.map((object) => {
      const [kind, name] = object.split(" ");
      return { kind, name };
    }),
  ];
}
