"use client";

import { useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { lookupKey } from "@/server/schemas/lxc-config/catalogue";
import { LxcConfig } from "@/server/schemas/lxc-config/model";
import { BindMountForm } from "./bind-mount";
import { KeyField, RepeatedKey, type TEdit } from "./key-fields";
import {
  DEVICES,
  addInterface,
  applyChange,
  cgroupKeys,
  interfaceIndexes,
  moveInterfaceUp,
  nextInterfaceIndex,
  randomMac,
  removeInterface,
} from "./settings-form-draft";

type TProps = {
  text: string;
  onChange: (text: string) => void;
  cgroup: "v1" | "v2";
  /** Where the host picker of bind mounts starts (ATELIER_BIND_ROOTS). */
  bindRoots?: string[];
};

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-3 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
      <legend className="px-1 text-sm font-semibold">{title}</legend>
      {children}
    </fieldset>
  );
}

/**
 * An interface's fields, in the order shown (the type's choices come from the catalogue), each label a key of
 * `config.settings.interface`.
 */
const INTERFACE_FIELDS: {
  field: string;
  label: "type" | "link" | "name" | "flags" | "hwaddr" | "mtu" | `ipv${4 | 6}${"Address" | "Gateway"}`;
  placeholder?: string;
  options?: readonly string[];
}[] = [
  { field: "type", label: "type" },
  { field: "link", label: "link", placeholder: "lxcbr0" },
  { field: "name", label: "name", placeholder: "eth0" },
  { field: "flags", label: "flags", options: ["up"] },
  { field: "hwaddr", label: "hwaddr", placeholder: "00:16:3e:xx:xx:xx" },
  { field: "mtu", label: "mtu", placeholder: "1500" },
  // Its placeholder has words: ipv4AddressPlaceholder.
  { field: "ipv4.address", label: "ipv4Address" },
  { field: "ipv4.gateway", label: "ipv4Gateway", placeholder: "10.0.3.1" },
  { field: "ipv6.address", label: "ipv6Address", placeholder: "fd00::10/64" },
  { field: "ipv6.gateway", label: "ipv6Gateway", placeholder: "fd00::1" },
];

/** Example values of the fields that take LXC's own words (a profile, a group, mount options): not translated. */
const EXAMPLES = {
  memory: "512M",
  memorySwap: "1G",
  swap: "512M",
  denied: "a",
  allowed: "c 1:3 rwm",
  mountEntry: "/srv/data srv/data none bind,create=dir 0 0",
  mountAuto: "proc:mixed sys:ro",
  fstab: "/var/lib/lxc/NAME/fstab",
  group: "onboot",
  capDrop: "sys_module mac_admin",
  capKeep: "sys_admin",
  apparmor: "generated",
  idmap: "u 0 100000 65536",
};

function Interfaces({ config, edit }: { config: LxcConfig; edit: TEdit }) {
  const t = useTranslations("config.settings.interface");
  const indexes = interfaceIndexes(config);
  const next = nextInterfaceIndex(indexes);
  return (
    <div className="space-y-4">
      {indexes.map((index, position) => (
        <div key={index} className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700">
          <div className="flex items-center justify-between gap-2">
            <h4 className="mr-auto text-sm font-semibold">{t("heading", { index })}</h4>
            {position > 0 && (
              <Button size="sm" variant="ghost" onClick={() => edit(moveInterfaceUp(indexes, position))}>
                {t("moveUp", { index })}
              </Button>
            )}
            <Button size="sm" variant="ghost" onClick={() => edit(removeInterface(index))}>
              {t("remove", { index })}
            </Button>
          </div>
          {INTERFACE_FIELDS.map(({ field, label, placeholder, options }) => (
            <KeyField
              key={field}
              config={config}
              edit={edit}
              configKey={`lxc.net.${index}.${field}`}
              label={t(label)}
              placeholder={field === "ipv4.address" ? t("ipv4AddressPlaceholder") : placeholder}
              options={field === "type" ? lookupKey(`lxc.net.${index}.type`)?.values : options}
            />
          ))}
        </div>
      ))}
      <Button onClick={() => edit(addInterface(next, randomMac()))}>{t("add")}</Button>
    </div>
  );
}

/**
 * The structured editor: the common settings by section, each field showing the exact line it writes. It edits the
 * same text as the raw editor, through the changes of settings-form-draft.ts, so switching between the two loses
 * nothing.
 */
export function SettingsForm({ text, onChange, cgroup, bindRoots = [] }: TProps) {
  const t = useTranslations("config.settings");
  const config = LxcConfig.parse(text);
  const edit: TEdit = (change) => onChange(applyChange(text, change));
  const keys = cgroupKeys(cgroup);
  const shared = { config, edit };
  return (
    <div className="space-y-4">
      <Section title={t("sections.general")}>
        <KeyField {...shared} configKey="lxc.uts.name" label={t("hostname")} />
        <KeyField
          {...shared}
          configKey="lxc.arch"
          label={t("architecture")}
          options={lookupKey("lxc.arch")?.values}
        />
      </Section>
      <Section title={t("sections.network")}>
        <Interfaces {...shared} />
      </Section>
      <Section title={t("sections.resources", { version: cgroup, prefix: keys.prefix })}>
        <KeyField {...shared} configKey={keys.memory} label={t("memory")} placeholder={EXAMPLES.memory} />
        {cgroup === "v1" && (
          <KeyField
            {...shared}
            configKey={keys.swap}
            label={t("memorySwap")}
            placeholder={EXAMPLES.memorySwap}
          />
        )}
        {cgroup === "v2" && (
          <KeyField {...shared} configKey={keys.swap} label={t("swap")} placeholder={EXAMPLES.swap} />
        )}
        <KeyField
          {...shared}
          configKey={keys.cpuWeight}
          label={t("cpuWeight")}
          placeholder={keys.cpuWeightPlaceholder}
        />
        <KeyField {...shared} configKey={keys.cpuset} label={t("cpuset")} placeholder="0-1" />
        <KeyField {...shared} configKey={keys.pids} label={t("pids")} placeholder="512" />
      </Section>
      <Section title={t("sections.devices")}>
        <RepeatedKey
          {...shared}
          configKey={keys.devicesDeny}
          label={t("denied")}
          placeholder={EXAMPLES.denied}
          presets={[{ label: t("all"), value: "a" }]}
        />
        <RepeatedKey
          {...shared}
          configKey={keys.devicesAllow}
          label={t("allowed")}
          placeholder={EXAMPLES.allowed}
          presets={DEVICES}
        />
      </Section>
      <Section title={t("sections.mounts")}>
        <RepeatedKey
          {...shared}
          configKey="lxc.mount.entry"
          label={t("mountEntries")}
          placeholder={EXAMPLES.mountEntry}
        />
        <RepeatedKey
          {...shared}
          configKey="lxc.mount.auto"
          label={t("mountAuto")}
          placeholder={EXAMPLES.mountAuto}
        />
        <BindMountForm
          bindRoots={bindRoots}
          onAdd={(line) => edit((config) => config.add("lxc.mount.entry", line))}
        />
        <KeyField {...shared} configKey="lxc.mount.fstab" label={t("fstab")} placeholder={EXAMPLES.fstab} />
      </Section>
      <Section title={t("sections.consoles")}>
        <KeyField {...shared} configKey="lxc.tty.max" label={t("ttys")} placeholder="4" />
        <KeyField {...shared} configKey="lxc.pty.max" label={t("ptys")} placeholder="1024" />
      </Section>
      <Section title={t("sections.autostart")}>
        <KeyField {...shared} configKey="lxc.start.auto" label={t("startAtBoot")} />
        <KeyField {...shared} configKey="lxc.start.order" label={t("order")} placeholder="0" />
        <KeyField {...shared} configKey="lxc.start.delay" label={t("delay")} placeholder="0" />
        <RepeatedKey {...shared} configKey="lxc.group" label={t("groups")} placeholder={EXAMPLES.group} />
      </Section>
      <Section title={t("sections.security")}>
        <RepeatedKey
          {...shared}
          configKey="lxc.cap.drop"
          label={t("capDrop")}
          placeholder={EXAMPLES.capDrop}
        />
        <RepeatedKey
          {...shared}
          configKey="lxc.cap.keep"
          label={t("capKeep")}
          placeholder={EXAMPLES.capKeep}
        />
        <KeyField
          {...shared}
          configKey="lxc.apparmor.profile"
          label={t("apparmor")}
          placeholder={EXAMPLES.apparmor}
        />
        <RepeatedKey {...shared} configKey="lxc.idmap" label={t("idmap")} placeholder={EXAMPLES.idmap} />
      </Section>
    </div>
  );
}
