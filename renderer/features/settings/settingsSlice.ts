/** The agent's audio devices: chosen here, kept in this browser profile, applied by the media engine. */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { AudioDeviceChoice } from './audioDevices.js';

export interface SettingsState {
  readonly devices: AudioDeviceChoice;
}

const STORAGE_KEY = 'baton.audioDevices';

export function loadDeviceChoice(): AudioDeviceChoice {
  const empty: AudioDeviceChoice = { microphoneId: null, speakerId: null, ringerId: null };
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (!raw) return empty;
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const pick = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length < 512 ? v : null);
    return { microphoneId: pick(parsed.microphoneId), speakerId: pick(parsed.speakerId), ringerId: pick(parsed.ringerId) };
  } catch {
    return empty;
  }
}

export function saveDeviceChoice(choice: AudioDeviceChoice): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(choice));
  } catch {
    // Storage may be unavailable (private profile); the choice then lasts for this session.
  }
}

const settingsSlice = createSlice({
  name: 'settings',
  initialState: { devices: { microphoneId: null, speakerId: null, ringerId: null } } as SettingsState,
  reducers: {
    devicesChosen(state, action: PayloadAction<AudioDeviceChoice>) {
      return { ...state, devices: action.payload };
    },
  },
});

export const { devicesChosen } = settingsSlice.actions;
export const settingsReducer = settingsSlice.reducer;
