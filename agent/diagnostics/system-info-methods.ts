/**
 * The systeminformation calls the probes make, and what each answers. Shared by the
 * agent's side (system-info.ts) and the worker that makes the calls
 * (system-info-worker.ts); the agent's bundle holds only these types, not the library.
 */
import type { Systeminformation as S } from 'systeminformation';

export interface SystemInfoAnswers {
  system: S.SystemData;
  time: S.TimeData;
  osInfo: S.OsData;
  users: S.UserData[];
  cpu: S.CpuData;
  cpuTemperature: S.CpuTemperatureData;
  currentLoad: S.CurrentLoadData;
  mem: S.MemData;
  battery: S.BatteryData;
  fsSize: S.FsSizeData[];
  diskLayout: S.DiskLayoutData[];
  networkInterfaces: S.NetworkInterfacesData[];
  networkInterfaceDefault: string;
  networkGatewayDefault: string;
  processes: S.ProcessesData;
}

export type SystemInfoMethod = keyof SystemInfoAnswers;

/** Every call the worker accepts; any other name is refused. */
export const SYSTEM_INFO_METHODS: readonly SystemInfoMethod[] = [
  'system', 'time', 'osInfo', 'users', 'cpu', 'cpuTemperature', 'currentLoad', 'mem', 'battery',
  'fsSize', 'diskLayout', 'networkInterfaces', 'networkInterfaceDefault', 'networkGatewayDefault', 'processes',
];

/** A request to the worker, and its answer. */
export interface SystemInfoRequest { readonly id: number; readonly method: SystemInfoMethod }
export type SystemInfoReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/**
 * The shortest window the CPU load is measured over. systeminformation's load is the
 * change since its previous call; a fresh worker's first call would give the average
 * since boot, which says nothing about now.
 */
export const LOAD_WINDOW_MS = 300;
