// `npm run plan -- --stack dev`: runs the real index.ts on a recording engine — no cloud, no
// Pulumi CLI, no credentials — and shows what `pulumi up` would create.
import * as path from "path";
import { z } from "zod";
import { argument } from "../cli/args";
import { ROOT } from "../cli/project";
import { planStack } from "../plan/planStack";

// One parse per run: compiling zod's fast path (new Function) costs more than it saves.
z.config({ jitless: true });
const stack = argument("stack", "dev");
const stackFile = argument("stack-file", "");
planStack(stack, path.resolve(ROOT, argument("out", "out")), stackFile ? path.resolve(stackFile) : undefined)
  .then((ok) => process.exit(ok ? 0 : 1))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
