// The byte budget's refusal: a need over the whole budget always reads larger than the budget.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteBudget, mib } from "../common/admission";

const MiB = 1024 * 1024;

describe("ByteBudget", () => {
  it("refuses a need over the whole budget with figures that say so, even a fraction of a MiB over", async () => {
    const budget = new ByteBudget(227.5 * MiB, 1000);
    const need = 227.8 * MiB;
    await assert.rejects(budget.reserve(need, `a photo needs ${mib(need)} to decode`), {
      status: 413,
      message: "a photo needs 228 MiB to decode, more than this instance's whole budget of 227 MiB",
    });
  });
});
