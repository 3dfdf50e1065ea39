import { operatorProcedure } from "../../procedures";
import { ZPackagesChangeRequest, ZPackagesJobStarted, ZPackagesUpgradeRequest } from "./packages.types";

/** Install or remove packages: a job (the package manager's lines, cancellable). */
export const changePackagesRoute = (action: "install" | "remove") =>
  operatorProcedure
    .input(ZPackagesChangeRequest)
    .output(ZPackagesJobStarted)
    .mutation(async ({ ctx, input }) => {
      ctx.log.info(`${action} packages`, { name: input.name, packages: input.packages });
      const { jobId } = await ctx.runtime.packages.change(
        { ...input, action, temporaryStart: input.temporaryStart ?? false },
        ctx.principal,
      );
      return { jobId };
    });

/** Upgrade everything upgradable (or the packages named): a job. */
export const upgradePackagesRoute = operatorProcedure
  .input(ZPackagesUpgradeRequest)
  .output(ZPackagesJobStarted)
  .mutation(async ({ ctx, input }) => {
    ctx.log.info("upgrade packages", { name: input.name });
    const { jobId } = await ctx.runtime.packages.change(
      {
        name: input.name,
        action: "upgrade",
        packages: input.packages ?? [],
        temporaryStart: input.temporaryStart ?? false,
      },
      ctx.principal,
    );
    return { jobId };
  });
