/** The last device choice made in this window (main keeps the agent's settings: DeskState.settings). */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { AudioDeviceChoice } from './audioDevices.js';

export interface SettingsState {
  readonly devices: AudioDeviceChoice;
}

const initialState: SettingsState = { devices: { microphoneId: null, speakerId: null, ringerId: null } };

const settingsSlice = createSlice({
  name: 'settings',
  initialState,
  reducers: {
    devicesChosen(state, action: PayloadAction<AudioDeviceChoice>) {
      return { ...state, devices: action.payload };
    },
  },
});

export const { devicesChosen } = settingsSlice.actions;
export const settingsReducer = settingsSlice.reducer;
