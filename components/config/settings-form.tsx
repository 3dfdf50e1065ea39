"use client";

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

/** An interface's fields, in the order shown (the type's choices come from the catalogue). */
const INTERFACE_FIELDS: {
  field: string;
  label: string;
  placeholder?: string;
  options?: readonly string[];
}[] = [
  { field: "type", label: "Type" },
  { field: "link", label: "Host link (bridge or NIC)", placeholder: "lxcbr0" },
  { field: "name", label: "Name inside", placeholder: "eth0" },
  { field: "flags", label: "Flags", options: ["up"] },
  { field: "hwaddr", label: "MAC address", placeholder: "00:16:3e:xx:xx:xx" },
  { field: "mtu", label: "MTU", placeholder: "1500" },
  { field: "ipv4.address", label: "IPv4 address", placeholder: "10.0.3.10/24 (empty: DHCP)" },
  { field: "ipv4.gateway", label: "IPv4 gateway", placeholder: "10.0.3.1" },
  { field: "ipv6.address", label: "IPv6 address", placeholder: "fd00::10/64" },
  { field: "ipv6.gateway", label: "IPv6 gateway", placeholder: "fd00::1" },
];

function Interfaces({ config, edit }: { config: LxcConfig; edit: TEdit }) {
  const indexes = interfaceIndexes(config);
  const next = nextInterfaceIndex(indexes);
  return (
    <div className="space-y-4">
      {indexes.map((index, position) => (
        <div key={index} className="space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700">
          <div className="flex items-center justify-between gap-2">
            <h4 className="mr-auto text-sm font-semibold">Interface {index}</h4>
            {position > 0 && (
              <Button size="sm" variant="ghost" onClick={() => edit(moveInterfaceUp(indexes, position))}>
                Move interface {index} up
              </Button>
            )}
            <Button size="sm" variant="ghost" onClick={() => edit(removeInterface(index))}>
              Remove interface {index}
            </Button>
          </div>
          {INTERFACE_FIELDS.map(({ field, label, placeholder, options }) => (
            <KeyField
              key={field}
              config={config}
              edit={edit}
              configKey={`lxc.net.${index}.${field}`}
              label={label}
              placeholder={placeholder}
              options={field === "type" ? lookupKey(`lxc.net.${index}.type`)?.values : options}
            />
          ))}
        </div>
      ))}
      <Button onClick={() => edit(addInterface(next, randomMac()))}>Add an interface</Button>
    </div>
  );
}

/**
 * The structured editor: the common settings by section, each field showing the exact line it writes. It edits the
 * same text as the raw editor, through the changes of settings-form-draft.ts, so switching between the two loses
 * nothing.
 */
export function SettingsForm({ text, onChange, cgroup, bindRoots = [] }: TProps) {
  const config = LxcConfig.parse(text);
  const edit: TEdit = (change) => onChange(applyChange(text, change));
  const keys = cgroupKeys(cgroup);
  const shared = { config, edit };
  return (
    <div className="space-y-4">
      <Section title="General">
        <KeyField {...shared} configKey="lxc.uts.name" label="Hostname" />
        <KeyField
          {...shared}
          configKey="lxc.arch"
          label="Architecture"
          options={lookupKey("lxc.arch")?.values}
        />
      </Section>
      <Section title="Network interfaces">
        <Interfaces {...shared} />
      </Section>
      <Section title={`Resources (cgroup ${cgroup}: ${keys.prefix}.*)`}>
        <KeyField {...shared} configKey={keys.memory} label="Memory limit" placeholder="512M" />
        {cgroup === "v1" && (
          <KeyField {...shared} configKey={keys.swap} label="Memory + swap limit" placeholder="1G" />
        )}
        {cgroup === "v2" && (
          <KeyField {...shared} configKey={keys.swap} label="Swap limit" placeholder="512M" />
        )}
        <KeyField
          {...shared}
          configKey={keys.cpuWeight}
          label="CPU weight"
          placeholder={keys.cpuWeightPlaceholder}
        />
        <KeyField {...shared} configKey={keys.cpuset} label="CPUs (cpuset)" placeholder="0-1" />
        <KeyField {...shared} configKey={keys.pids} label="Most processes" placeholder="512" />
      </Section>
      <Section title="Devices">
        <RepeatedKey
          {...shared}
          configKey={keys.devicesDeny}
          label="Denied"
          placeholder="a"
          presets={[{ label: "all", value: "a" }]}
        />
        <RepeatedKey
          {...shared}
          configKey={keys.devicesAllow}
          label="Allowed"
          placeholder="c 1:3 rwm"
          presets={DEVICES}
        />
      </Section>
      <Section title="Mounts">
        <RepeatedKey
          {...shared}
          configKey="lxc.mount.entry"
          label="Mount entries"
          placeholder="/srv/data srv/data none bind,create=dir 0 0"
        />
        <RepeatedKey
          {...shared}
          configKey="lxc.mount.auto"
          label="Automatic mounts"
          placeholder="proc:mixed sys:ro"
        />
        <BindMountForm
          bindRoots={bindRoots}
          onAdd={(line) => edit((config) => config.add("lxc.mount.entry", line))}
        />
        <KeyField
          {...shared}
          configKey="lxc.mount.fstab"
          label="fstab file"
          placeholder="/var/lib/lxc/NAME/fstab"
        />
      </Section>
      <Section title="Consoles">
        <KeyField {...shared} configKey="lxc.tty.max" label="ttys" placeholder="4" />
        <KeyField {...shared} configKey="lxc.pty.max" label="Pseudo-terminals" placeholder="1024" />
      </Section>
      <Section title="Autostart">
        <KeyField {...shared} configKey="lxc.start.auto" label="Start at boot" />
        <KeyField {...shared} configKey="lxc.start.order" label="Order" placeholder="0" />
        <KeyField {...shared} configKey="lxc.start.delay" label="Delay (s)" placeholder="0" />
        <RepeatedKey {...shared} configKey="lxc.group" label="Groups" placeholder="onboot" />
      </Section>
      <Section title="Security">
        <RepeatedKey
          {...shared}
          configKey="lxc.cap.drop"
          label="Dropped capabilities"
          placeholder="sys_module mac_admin"
        />
        <RepeatedKey
          {...shared}
          configKey="lxc.cap.keep"
          label="Kept capabilities (all others dropped)"
          placeholder="sys_admin"
        />
        <KeyField
          {...shared}
          configKey="lxc.apparmor.profile"
          label="AppArmor profile"
          placeholder="generated"
        />
        <RepeatedKey
          {...shared}
          configKey="lxc.idmap"
          label="ID maps (unprivileged)"
          placeholder="u 0 100000 65536"
        />
      </Section>
    </div>
  );
}
