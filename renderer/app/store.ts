/** The renderer's Redux store: the desk mirror plus view state, one slice per feature. */
import { configureStore } from '@reduxjs/toolkit';
import { useDispatch, useSelector, useStore as useReduxStore } from 'react-redux';
import { deskReducer } from '../features/desk/deskSlice.js';
import { workspaceReducer } from '../features/desk/workspaceSlice.js';
import { historyReducer } from '../features/history/historySlice.js';
import { settingsReducer } from '../features/settings/settingsSlice.js';

export function createAppStore() {
  return configureStore({
    reducer: {
      desk: deskReducer,
      workspace: workspaceReducer,
      history: historyReducer,
      settings: settingsReducer,
    },
    // The desk can be large (a 5,000-user directory); it is replaced, never mutated, by its reducer.
    middleware: (getDefault) => getDefault({ immutableCheck: false, serializableCheck: false }),
  });
}

export type AppStore = ReturnType<typeof createAppStore>;
export type RootState = ReturnType<AppStore['getState']>;
export type AppDispatch = AppStore['dispatch'];

export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();
export const useStore = useReduxStore.withTypes<AppStore>();
