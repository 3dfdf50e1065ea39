import type { TActor } from "../auth/roles";
import type { TDb } from "../db";
import { AppError, said } from "../errors";
import { ZCreateForm, type TCreateForm } from "../schemas/create-container";
import type { TProvisioner } from "./service";

/**
 * Types: saved creation forms (the seed tutorial's "conteneur type": one for web development, one for Android...).
 * Create from one in one click (only the name is asked), or save a form whose root filesystem is a clone of an
 * existing container, which makes that container the type.
 */
export const TYPE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,62}$/;

export const createTypes = ({ db, provision }: { db: TDb; provision: Pick<TProvisioner, "create"> }) => {
  const list = async () =>
    (await db.containerType.findMany({ orderBy: { name: "asc" } })).map((row) => ({
      name: row.name,
      form: ZCreateForm.parse(JSON.parse(row.form)),
      author: row.author,
      createdAt: row.createdAt,
    }));

  const save = async ({ name, form, actor }: { name: string; form: TCreateForm; actor: string }) => {
    const parsed = ZCreateForm.parse(form);
    // A type never keeps a root password: it would sit in the database in clear. SSH keys are public.
    const stored = {
      ...parsed,
      ...(parsed.access ? { access: { ...parsed.access, rootPassword: undefined } } : {}),
    };
    await db.containerType.upsert({
      where: { name },
      create: { name, form: JSON.stringify(stored), author: actor },
      update: { form: JSON.stringify(stored), author: actor },
    });
    return (await list()).find((entry) => entry.name === name);
  };

  const remove = async (name: string) => {
    const deleted = await db.containerType.deleteMany({ where: { name } });
    if (deleted.count === 0) throw new AppError("NOT_FOUND", said("typeNotFound", { name }));
  };

  const createFrom = async ({ type, name, actor }: { type: string; name: string; actor: TActor }) => {
    const row = await db.containerType.findUnique({ where: { name: type } });
    if (!row) throw new AppError("NOT_FOUND", { ...said("typeNotFound", { name: type }), field: "type" });
    const form = ZCreateForm.parse(JSON.parse(row.form));
    return provision.create({ name, ...form }, actor);
  };

  return { list, save, remove, createFrom };
};

export type TTypes = ReturnType<typeof createTypes>;
