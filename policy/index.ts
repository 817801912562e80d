// The CrossGuard entry point: `pulumi preview --policy-pack policy --policy-pack-config policy/config/dev.json`.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("ai-mesh", { policies });
