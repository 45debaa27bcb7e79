/**
 * What the screen shows, as opposed to what is true (that is the desk mirror): which call is in
 * front, whether the transfer panel or settings are open, errors to show. Nothing here is a rule.
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

/** What the right-hand workspace shows. */
export type Focus = { readonly kind: 'call'; readonly callId: string } | { readonly kind: 'wrapUp'; readonly callId: string } | null;

/**
 * Where focus should go once the screen catches up with an action (the button pressed is often
 * gone by then): resolved by features/focus/useFocusIntent.ts.
 */
export type FocusIntent =
  | { readonly kind: 'callCard'; readonly callId: string }
  | { readonly kind: 'transferActions'; readonly transferId: string }
  | { readonly kind: 'callAction'; readonly callId: string; readonly action: 'hangUp' | 'transfer' | 'resume' }
  | { readonly kind: 'afterWrapUp'; readonly callId: string }
  | { readonly kind: 'workspace' }
  | { readonly kind: 'toast' }
  | { readonly kind: 'ringing' };

export interface TransferWarning {
  readonly callId: string;
  readonly message: string;
}

export interface WorkspaceState {
  readonly focus: Focus;
  /** The call whose transfer panel is open. */
  readonly transferPanelCallId: string | null;
  /** Main asked the agent to confirm a non-recommended colleague. */
  readonly transferWarning: TransferWarning | null;
  readonly keypadCallId: string | null;
  readonly detailTab: 'details' | 'history';
  readonly settingsOpen: boolean;
  readonly errors: readonly { readonly id: number; readonly text: string }[];
  readonly dismissedNotices: readonly string[];
  readonly nextErrorId: number;
  readonly focusIntent: { readonly id: number; readonly intent: FocusIntent } | null;
  /** Ids of focus intents and announcements: never reused, so a new one is never taken for the last. */
  readonly nextSignalId: number;
  /** A short sentence for the polite live region (e.g. why a shortcut did nothing). */
  readonly announcement: { readonly id: number; readonly text: string } | null;
  readonly shortcutHelpOpen: boolean;
}

const initialState: WorkspaceState = {
  focus: null,
  transferPanelCallId: null,
  transferWarning: null,
  keypadCallId: null,
  detailTab: 'details',
  settingsOpen: false,
  errors: [],
  dismissedNotices: [],
  nextErrorId: 1,
  focusIntent: null,
  nextSignalId: 1,
  announcement: null,
  shortcutHelpOpen: false,
};

const workspaceSlice = createSlice({
  name: 'workspace',
  initialState,
  reducers: {
    focusCall(state, action: PayloadAction<string>) {
      state.focus = { kind: 'call', callId: action.payload };
    },
    focusWrapUp(state, action: PayloadAction<string>) {
      state.focus = { kind: 'wrapUp', callId: action.payload };
    },
    clearFocus(state) {
      state.focus = null;
    },
    transferPanelOpened(state, action: PayloadAction<string>) {
      state.transferPanelCallId = action.payload;
      state.focus = { kind: 'call', callId: action.payload };
      if (state.transferWarning?.callId !== action.payload) state.transferWarning = null;
    },
    transferPanelClosed(state) {
      state.transferPanelCallId = null;
      state.transferWarning = null;
    },
    transferWarningRaised(state, action: PayloadAction<TransferWarning>) {
      state.transferWarning = action.payload;
    },
    transferWarningCleared(state) {
      state.transferWarning = null;
    },
    keypadToggled(state, action: PayloadAction<string>) {
      state.keypadCallId = state.keypadCallId === action.payload ? null : action.payload;
    },
    detailTabChosen(state, action: PayloadAction<WorkspaceState['detailTab']>) {
      state.detailTab = action.payload;
    },
    settingsToggled(state, action: PayloadAction<boolean>) {
      state.settingsOpen = action.payload;
    },
    errorShown(state, action: PayloadAction<string>) {
      state.errors = [...state.errors.slice(-3), { id: state.nextErrorId, text: action.payload }];
      state.nextErrorId += 1;
    },
    errorDismissed(state, action: PayloadAction<number>) {
      state.errors = state.errors.filter((e) => e.id !== action.payload);
    },
    focusRequested(state, action: PayloadAction<FocusIntent>) {
      state.focusIntent = { id: state.nextSignalId, intent: action.payload };
      state.nextSignalId += 1;
    },
    focusIntentDone(state, action: PayloadAction<number>) {
      if (state.focusIntent?.id === action.payload) state.focusIntent = null;
    },
    announced(state, action: PayloadAction<string>) {
      state.announcement = { id: state.nextSignalId, text: action.payload };
      state.nextSignalId += 1;
    },
    shortcutHelpToggled(state, action: PayloadAction<boolean>) {
      state.shortcutHelpOpen = action.payload;
    },
    noticeDismissed(state, action: PayloadAction<string>) {
      state.dismissedNotices = [...state.dismissedNotices, action.payload];
    },
  },
});

export const {
  focusCall,
  focusWrapUp,
  clearFocus,
  transferPanelOpened,
  transferPanelClosed,
  transferWarningRaised,
  transferWarningCleared,
  keypadToggled,
  detailTabChosen,
  settingsToggled,
  errorShown,
  errorDismissed,
  noticeDismissed,
  focusRequested,
  focusIntentDone,
  announced,
  shortcutHelpToggled,
} = workspaceSlice.actions;
export const workspaceReducer = workspaceSlice.reducer;
