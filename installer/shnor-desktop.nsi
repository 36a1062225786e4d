; ШНОР Desktop — установщик для Windows (NSIS 3, Unicode).
;
; Ставит программу для одного пользователя, без прав администратора:
; в %LOCALAPPDATA%\Programs\ШНОР Desktop, ярлыки в меню «Пуск» и на рабочем столе,
; файлы баз (.sqlite) открываются программой (HKCU\Software\Classes), запись
; «Установка и удаление программ» — в HKCU.  Удаление убирает только программу:
; базы данных, резервные копии, настройки и журналы пользователя остаются.
;
; Сборка (из корня репозитория, после PyInstaller):
;   makensis /DVERSION=0.1.0 installer\shnor-desktop.nsi
; Параметры (/Dимя=значение): VERSION, BUNDLE_DIR (папка, собранная PyInstaller;
; по умолчанию ..\dist\shnor-desktop), OUTFILE (куда записать установщик),
; ICON (значок; по умолчанию ..\resources\icons\shnor-desktop.ico).
; Файл — UTF-8 с BOM: так makensis читает русский текст на любой системе.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef BUNDLE_DIR
  !define BUNDLE_DIR "..\dist\shnor-desktop"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\shnor-desktop-${VERSION}-setup.exe"
!endif

!define APP_NAME "ШНОР Desktop"
!define APP_EXE "shnor-desktop.exe"
!define APP_ID "ShnorDesktop"
!define PUBLISHER "ШНОР Desktop"
!define PROG_ID "ShnorDesktop.Database"
!define DB_EXT ".sqlite"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define CLASSES "Software\Classes"
!ifndef ICON
  !define ICON "..\resources\icons\shnor-desktop.ico"
!endif

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"

; Version resource of the installer itself (Свойства → Подробно).
!searchparse /noerrors "${VERSION}" "" V_MAJOR "." V_MINOR "." V_PATCH
!ifndef V_MAJOR
  !define V_MAJOR 0
!endif
!ifndef V_MINOR
  !define V_MINOR 0
!endif
!ifndef V_PATCH
  !define V_PATCH 0
!endif
VIProductVersion "${V_MAJOR}.${V_MINOR}.${V_PATCH}.0"
VIAddVersionKey /LANG=1049 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=1049 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1049 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1049 "FileDescription" "Установка ${APP_NAME}"
VIAddVersionKey /LANG=1049 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1049 "LegalCopyright" "Лицензия MIT"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TITLE "Установка ${APP_NAME} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "Программа будет установлена только для вас — права администратора не нужны.$\r$\n$\r$\nЕсли ${APP_NAME} сейчас открыт, закройте его перед продолжением.$\r$\n$\r$\nНажмите «Далее»."
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Запустить ${APP_NAME}"
!define MUI_UNCONFIRMPAGE_TEXT_TOP "Будет удалена только сама программа. Ваши базы данных, их резервные копии, настройки и журналы ошибок останутся на месте (базы обычно лежат в папке «Документы»)."

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Russian"

Function .onInit
  SetShellVarContext current
FunctionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "${APP_NAME}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; A newer build may drop files: the program's own folder is laid anew.
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE_DIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0
  CreateShortCut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0

  ; The database files: a ProgID of our own, offered in «Открыть с помощью» for .sqlite;
  ; made the default only where no other program has claimed the extension.
  WriteRegStr HKCU "${CLASSES}\${PROG_ID}" "" "База данных ${APP_NAME}"
  WriteRegStr HKCU "${CLASSES}\${PROG_ID}\DefaultIcon" "" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${CLASSES}\${PROG_ID}\shell\open\command" "" '"$INSTDIR\${APP_EXE}" --db "%1"'
  WriteRegStr HKCU "${CLASSES}\${DB_EXT}\OpenWithProgids" "${PROG_ID}" ""
  ReadRegStr $0 HKCU "${CLASSES}\${DB_EXT}" ""
  ReadRegStr $1 HKLM "${CLASSES}\${DB_EXT}" ""
  ${If} $0 == ""
  ${AndIf} $1 == ""
    WriteRegStr HKCU "${CLASSES}\${DB_EXT}" "" "${PROG_ID}"
  ${EndIf}
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  ; «Установка и удаление программ» of this user.
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  ; Only what the installer put here: a database the user kept in this folder stays.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\shnor-desktop-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"

  DeleteRegKey HKCU "${CLASSES}\${PROG_ID}"
  DeleteRegValue HKCU "${CLASSES}\${DB_EXT}\OpenWithProgids" "${PROG_ID}"
  ReadRegStr $0 HKCU "${CLASSES}\${DB_EXT}" ""
  ${If} $0 == "${PROG_ID}"
    DeleteRegValue HKCU "${CLASSES}\${DB_EXT}" ""
  ${EndIf}
  DeleteRegKey /ifempty HKCU "${CLASSES}\${DB_EXT}\OpenWithProgids"
  DeleteRegKey /ifempty HKCU "${CLASSES}\${DB_EXT}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'

  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ; Kept on purpose: HKCU\Software\${APP_ID} (settings), %LOCALAPPDATA%\${APP_ID} (logs),
  ; the databases and their backups wherever the user keeps them.
SectionEnd
