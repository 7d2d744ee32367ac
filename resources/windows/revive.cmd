@echo off
rem `revive` for the installed Windows app (<install dir>\resources\bin\revive.cmd; the installer offers to add this
rem folder to the user's PATH). Runs the app's own Electron as Node (ELECTRON_RUN_AS_NODE) on the bundled CLI inside
rem the app's archive, so the command needs no separate Node.
setlocal
set "ELECTRON_RUN_AS_NODE=1"
"%~dp0..\..\Revive.exe" "%~dp0..\app.asar\dist\cli\main.js" %*
endlocal & exit /b %ERRORLEVEL%
