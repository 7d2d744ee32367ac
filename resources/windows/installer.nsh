; Revive: "Enhance with Revive" in Explorer's context menu for image files.
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
; electron-builder defines APP_EXECUTABLE_FILENAME (e.g. "Revive.exe").

!define REVIVE_ENHANCE_KEY "Software\Classes\SystemFileAssociations\image\shell\ReviveEnhance"

!macro customInstall
  WriteRegStr HKCU "${REVIVE_ENHANCE_KEY}" "MUIVerb" "Enhance with Revive"
  WriteRegStr HKCU "${REVIVE_ENHANCE_KEY}" "Icon" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}",0'
  WriteRegStr HKCU "${REVIVE_ENHANCE_KEY}" "MultiSelectModel" "Player"
  WriteRegStr HKCU "${REVIVE_ENHANCE_KEY}\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --enhance "%1"'
  ; SHCNE_ASSOCCHANGED: Explorer re-reads the verbs without a sign-out.
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
!macroend

!macro customUnInstall
  DeleteRegKey HKCU "${REVIVE_ENHANCE_KEY}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
!macroend
