"""A report's table as CSV or XLSX: the same columns and rows the page shows."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from .selectors import Report

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value):
    # A cell starting with = + - @ is a formula to a spreadsheet: neutralise text only.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def report_csv(report: Report, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response)
    writer.writerow([str(c) for c in report.columns])
    for row in report.rows:
        writer.writerow([_safe(v) for v in row])
    return response


def report_xlsx(report: Report, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(report.key)[:31]
    sheet.append([str(report.title)])
    sheet["A1"].font = Font(bold=True)
    sheet.append([str(report.summary)])
    sheet.append([])
    sheet.append([str(c) for c in report.columns])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in report.rows:
        sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def rows_csv(columns: list[str], rows: list[list], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return response
