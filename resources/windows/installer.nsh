; Revive: "Enhance with Revive" in Explorer's context menu for image files, and the `revive` command on the user's PATH.
;
; Included by electron-builder's NSIS installer (electron-builder.yml: nsis.include), which inserts customInstall at
; the end of the install section and customUnInstall at the start of the uninstall section (also when an update
; replaces the app; the new installer then writes the entry again).
;
; The verb goes under HKCU\Software\Classes\SystemFileAssociations\image\shell, the per-user branch that applies
; to every file whose perceived type is "image", whichever application is their default. Revive never takes the
; default: this only adds a menu entry. On Windows 11 classic verbs like this one appear under "Show more options"
; (Shift+F10); the compact menu lists only packaged IExplorerCommand handlers.
;
; MultiSelectModel=Player lets the entry show for any number of selected files (the default "Document" model hides
; it above 15). Explorer then starts the command once per file; the running Revive receives each one through its
; single-instance hand-off and queues it.
;
; electron-builder defines APP_EXECUTABLE_FILENAME (e.g. "Revive.exe") and the ${isUpdated} test (true while an update
; replaces the app), and includes LogicLib. Everything is inline in the two macros, not in Functions: electron-builder
; compiles the installer and the uninstaller separately with warnings as errors, and a Function one of them never
; calls is a warning.
;
; The `revive` command: resources\bin\revive.cmd (electron-builder.yml: win.extraResources) runs the app's own
; Electron as Node on the bundled CLI. A fresh install asks whether to add that folder to the user's PATH
; (HKCU\Environment\Path, kept REG_EXPAND_SZ; no administrator needed); a silent install (/S) answers no. Updates
; neither ask nor touch it: the old uninstaller leaves the entry when an update replaces the app, and the per-user
; install folder stays the same. Uninstalling removes exactly that entry, whatever the case of its letters.

!define REVIVE_ENHANCE_KEY "Software\Classes\SystemFileAssociations\image\shell\ReviveEnhance"
!define REVIVE_CLI_DIR "$INSTDIR\resources\bin"
; WM_SETTINGCHANGE to HWND_BROADCAST with "Environment": Explorer (and programs it starts) re-read the PATH.
!define REVIVE_ENV_CHANGED 'SendMessage 0xFFFF 0x001A 0 "STR:Environment" /TIMEOUT=5000'

; $R0: a PATH value → $R1: the same without its ${REVIVE_CLI_DIR} entries (every other entry, empty ones included,
; kept in order). Uses $R2-$R5.
!macro ReviveWithoutCliDir
  StrCpy $R1 ""
  StrCpy $R2 ""
  StrCpy $R3 0
  StrCpy $R5 0
  ${Do}
    StrCpy $R4 $R0 1 $R3
    ${If} $R4 == ";"
    ${OrIf} $R4 == ""
      ${If} $R2 != "${REVIVE_CLI_DIR}"
        ${If} $R5 > 0
          StrCpy $R1 "$R1;"
        ${EndIf}
        StrCpy $R1 "$R1$R2"
        IntOp $R5 $R5 + 1
      ${EndIf}
      StrCpy $R2 ""
    ${Else}
      StrCpy $R2 "$R2$R4"
    ${EndIf}
    IntOp $R3 $R3 + 1
  ${LoopUntil} $R4 == ""
!macroend

!macro ReviveSaveRegisters
  Push $R0
  Push $R1
  Push $R2
  Push $R3
  Push $R4
  Push $R5
!macroend

!macro ReviveRestoreRegisters
  Pop $R5
  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
!macroend

!macro customInstall
  WriteRegStr HKCU "${REVIVE_ENHANCE_KEY}" "MUIVerb" "Enhance with Revive"
  WriteRegStr HKCU "${REVIVE_ENHANCE_KEY}" "Icon" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}",0'
  WriteRegStr HKCU "${REVIVE_ENHANCE_KEY}" "MultiSelectModel" "Player"
  WriteRegStr HKCU "${REVIVE_ENHANCE_KEY}\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --enhance "%1"'
  ; SHCNE_ASSOCCHANGED: Explorer re-reads the verbs without a sign-out.
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  ${IfNot} ${isUpdated}
    !insertmacro ReviveSaveRegisters
    ClearErrors
    ReadRegStr $R0 HKCU "Environment" "Path"
    !insertmacro ReviveWithoutCliDir
    StrLen $R2 $R0
    ; Already there (a reinstall): nothing to ask. A PATH this installer cannot hold whole is never rewritten.
    ${If} $R1 == $R0
      ${If} $R2 > 7900
        MessageBox MB_OK|MB_ICONINFORMATION "Your PATH is too long for the installer to change. To use the revive command, add this folder to it yourself:$\r$\n${REVIVE_CLI_DIR}" /SD IDOK
      ${ElseIf} ${Cmd} `MessageBox MB_YESNO|MB_ICONQUESTION "Add the revive command to your PATH?$\r$\n$\r$\nYou can then run revive in a new terminal (revive --help). Uninstalling Revive removes it again." /SD IDNO IDYES`
        ${If} $R0 == ""
          StrCpy $R1 "${REVIVE_CLI_DIR}"
        ${Else}
          StrCpy $R1 "$R0;${REVIVE_CLI_DIR}"
        ${EndIf}
        WriteRegExpandStr HKCU "Environment" "Path" $R1
        ${REVIVE_ENV_CHANGED}
      ${EndIf}
    ${EndIf}
    !insertmacro ReviveRestoreRegisters
  ${EndIf}
!macroend

!macro customUnInstall
  DeleteRegKey HKCU "${REVIVE_ENHANCE_KEY}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  ${IfNot} ${isUpdated}
    !insertmacro ReviveSaveRegisters
    ClearErrors
    ReadRegStr $R0 HKCU "Environment" "Path"
    ${IfNot} ${Errors}
      !insertmacro ReviveWithoutCliDir
      ${If} $R1 != $R0
        WriteRegExpandStr HKCU "Environment" "Path" $R1
        ${REVIVE_ENV_CHANGED}
      ${EndIf}
    ${EndIf}
    !insertmacro ReviveRestoreRegisters
  ${EndIf}
!macroend
